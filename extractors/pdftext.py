"""PDF access through PDFium (pypdfium2): the text layer, page objects, rendering.

pdfplumber only opens the file first, for its clear messages about damaged or protected PDFs.

Each page's text layer is classified: drawn by the producing software (exact), an earlier OCR
(invisible text over a page image, judged for quality), or none. Pages without a trustworthy
layer are rendered for OCR.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import operator
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import LIT
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image

from docintake.domain import Line, Page, Word
from docintake.exceptions import CorruptFileError, EncryptedPdfError, UnsupportedFileError

# A page with fewer characters than this in its text layer is treated as a scan.
MIN_TEXT_CHARS = 20
# Images covering this share of the page make it a scan (an OCR layer may sit on top).
SCAN_COVERAGE = 0.8
# An old OCR layer is re-read unless nearly all its words are plausible tokens. Measured on
# 33 scans from a filing system: our OCR of the rendered page beat layers that looked decent
# (5-10% implausible words: the misread digits are plausible tokens too), 105 vs 70 key
# fields right; only near-clean layers (<= 3%) did as well.
MAX_OCR_GARBAGE = 0.03
# Word confidence given to a plausible word of a kept OCR layer (a PDF's own text has 1.0).
OCR_LAYER_CONFIDENCE = 0.9

_IMAGE, _FORM = LIT("Image"), LIT("Form")

# PDFium must not be called from two threads at once, not even for different documents.
PDFIUM_LOCK = threading.RLock()


class LayerKind(StrEnum):
    DIGITAL = "digital"  # text drawn by the software that made the PDF: exact
    OCR = "ocr"  # hidden text over a page image, left by an earlier OCR
    NONE = "none"  # no usable text


@dataclass(frozen=True)
class TextLayer:
    """What a page's text layer is, and (for an OCR layer) how good it looks."""

    kind: LayerKind
    image_coverage: float = 0.0  # share of the page covered by images
    invisible_share: float = 0.0  # share of text objects drawn invisibly or under the image
    garbage_ratio: float = 0.0  # share of words that are not plausible tokens
    words: int = 0

    @property
    def trusted(self) -> bool:
        """Whether the words can be used as they are (no OCR of the rendered page)."""
        if self.kind is LayerKind.DIGITAL:
            return True
        return self.kind is LayerKind.OCR and self.garbage_ratio <= MAX_OCR_GARBAGE

    def describe(self) -> str:
        if self.kind is LayerKind.OCR:
            return f"old OCR layer, {self.garbage_ratio:.0%} implausible words"
        return f"{self.kind.value} text layer"


@dataclass(frozen=True)
class PdfPage:
    number: int
    width_pt: float
    height_pt: float
    text_page: Page | None  # None when the page has no text layer worth reading
    layer: TextLayer
    pdfium_doc: Any  # lazily opened pypdfium2 document holder, for this module only

    @property
    def needs_ocr(self) -> bool:
        return self.text_page is None or not self.layer.trusted


def _explain(path: Path, e: BaseException) -> Exception:
    cause = e.args[0] if isinstance(e, PdfminerException) and e.args else e
    if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
        return EncryptedPdfError(
            f"{path.name} is a password-protected PDF; docintake cannot open it. "
            "Ask the sender for an unprotected copy."
        )
    if isinstance(cause, PDFSyntaxError):
        return CorruptFileError(
            f"{path.name} is not a readable PDF ({cause}); it may be damaged or not a PDF."
        )
    return CorruptFileError(f"{path.name} could not be read as a PDF: {cause}")


class _Pdfium:
    """The same file opened in PDFium (text, page objects, rendering); call under PDFIUM_LOCK."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._doc: Any = None

    def page(self, index: int) -> Any:
        if self._doc is None:
            try:
                self._doc = pdfium.PdfDocument(self.path)
            except pdfium.PdfiumError as e:
                raise CorruptFileError(
                    f"{self.path.name} could not be opened for rendering: {e}"
                ) from e
        return self._doc[index]

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None


@contextmanager
def open_pdf(path: Path, max_pages: int) -> Iterator[list[PdfPage]]:
    # pdfplumber (pdfminer) only checks that the file opens and counts its pages, for its
    # precise messages about damaged and protected files; it is lazy, so no page content is
    # parsed. Text, page objects and rendering come from PDFium: pdfminer's layout of pages
    # with thousands of vector paths took over a second.
    try:
        pdf = pdfplumber.open(path)
    except Exception as e:  # pdfminer raises many unrelated types on bad input
        raise _explain(path, e) from e
    doc = _Pdfium(path)
    try:
        try:
            if getattr(pdf.doc, "encryption", None) and not pdf.pages:
                raise EncryptedPdfError(f"{path.name} is a password-protected PDF.")
            count = len(pdf.pages)
        except Exception as e:
            if isinstance(e, EncryptedPdfError):
                raise
            raise _explain(path, e) from e
        if count == 0:
            raise UnsupportedFileError(f"{path.name} is a PDF with no pages.")
        if count > max_pages:
            raise UnsupportedFileError(
                f"{path.name} has {count} pages, more than the limit of {max_pages} "
                "(DOCINTAKE_MAX_PAGES). Split it into separate documents."
            )
        pages = []
        for i, plumber_page in enumerate(pdf.pages, start=1):
            try:
                images = _may_have_images(plumber_page.page_obj)
                with PDFIUM_LOCK:
                    pdfium_page = doc.page(i - 1)
                    width, height = pdfium_page.get_size()
                    text_page = _text_page(pdfium_page, i)
                    layer = _classify(pdfium_page, text_page, images)
                if text_page is not None and layer.kind is LayerKind.OCR:
                    text_page = _as_ocr(text_page)
            except (CorruptFileError, EncryptedPdfError):
                raise
            except Exception as e:
                raise _explain(path, e) from e
            pages.append(
                PdfPage(
                    number=i,
                    width_pt=float(width),
                    height_pt=float(height),
                    text_page=text_page,
                    layer=layer,
                    pdfium_doc=doc,
                )
            )
        yield pages
    finally:
        with PDFIUM_LOCK:
            doc.close()
        pdf.close()


def _classify(pdfium_page: Any, text_page: Page | None, images: bool) -> TextLayer:
    if text_page is None:
        return TextLayer(LayerKind.NONE)
    if not images:  # the common digital page: no need to go through its objects
        return TextLayer(LayerKind.DIGITAL)
    coverage, hidden = _scan_objects(pdfium_page)
    if coverage < 0.5:  # no page image under the text: nothing could hide it
        return TextLayer(LayerKind.DIGITAL, image_coverage=coverage)
    if coverage < SCAN_COVERAGE or hidden < 0.5:
        # Visible text over a background image (letterhead, form) is the producer's text.
        return TextLayer(LayerKind.DIGITAL, image_coverage=coverage, invisible_share=hidden)
    words = [w.text for ln in text_page.lines for w in ln.words]
    return TextLayer(
        LayerKind.OCR,
        image_coverage=coverage,
        invisible_share=hidden,
        garbage_ratio=garbage_ratio(words),
        words=len(words),
    )


def _may_have_images(page_obj: Any, depth: int = 3) -> bool:
    """Whether a page (pdfminer's PDFPage, or a form XObject) may draw an image: from its
    resources and a look for inline images, without interpreting the content.

    Going through every page object in PDFium took 20-30 ms on pages of small print (each word
    its own object); only pages with an image can be scans. Unsure means yes.
    """
    try:
        if isinstance(page_obj, PDFStream):
            resources, contents = page_obj.attrs.get("Resources"), [page_obj]
        else:
            resources, contents = page_obj.resources, page_obj.contents or []
        # Inline images (BI ... ID ... EI) are not in the resources.
        if any(b"BI" in resolve1(c).get_data() for c in contents):
            return True
        xobjects = resolve1((resolve1(resources) or {}).get("XObject")) or {}
        for ref in xobjects.values():
            xobj = resolve1(ref)
            if not isinstance(xobj, PDFStream):
                continue
            subtype = resolve1(xobj.attrs.get("Subtype"))
            if subtype is _IMAGE:
                return True
            if subtype is _FORM and (depth == 0 or _may_have_images(xobj, depth - 1)):
                return True
        return False
    except Exception:  # a damaged resource dictionary: let PDFium look
        return True


def _coverage(boxes: Sequence[dict[str, Any]], width: float, height: float, top_key: str) -> float:
    area = 0.0
    for b in boxes:
        x0, x1 = max(0.0, float(b["x0"])), min(width, float(b["x1"]))
        y0, y1 = max(0.0, float(b[top_key])), min(height, float(b["bottom"]))
        area += max(0.0, x1 - x0) * max(0.0, y1 - y0)
    return min(1.0, area / (width * height)) if width and height else 0.0


def _scan_objects(pdfium_page: Any) -> tuple[float, float]:
    """(share of the page under images, share of text objects hidden) from the page objects.

    Text is hidden when drawn invisibly (render mode 3, what OCR tools write) or drawn before
    a page-covering image, which then paints over it.
    """
    # Page objects are in user space: measure against the page box there (unrotated).
    x0, y0, x1, y1 = pdfium_page.get_bbox()
    width, height = x1 - x0, y1 - y0
    image_boxes: list[dict[str, Any]] = []
    texts = hidden = 0
    big_image_seen = False
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for kind, obj in _page_objects(pdfium_page.raw, depth=2):
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
            box = {
                "x0": left.value - x0,
                "x1": right.value - x0,
                "y0": bottom.value - y0,
                "bottom": top.value - y0,
            }
            image_boxes.append(box)
            if (box["x1"] - box["x0"]) * (box["bottom"] - box["y0"]) >= 0.5 * width * height:
                big_image_seen = True
        elif kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts += 1
            mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
            if mode == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE or not big_image_seen:
                hidden += 1
    coverage = _coverage(image_boxes, width, height, top_key="y0")
    return coverage, (hidden / texts if texts else 0.0)


def _page_objects(page: Any, depth: int, form: Any = None) -> Iterator[tuple[int, Any]]:
    """(type, handle) of the page's objects in drawing order, ``depth`` levels into forms.

    Straight on the C API: pages with thousands of vector paths are common (charts, logos),
    and wrapping each object in Python cost more than the rest of the reading.
    """
    if form is None:
        count, get = pdfium_c.FPDFPage_CountObjects(page), pdfium_c.FPDFPage_GetObject
        parent = page
    else:
        count, get = pdfium_c.FPDFFormObj_CountObjects(form), pdfium_c.FPDFFormObj_GetObject
        parent = form
    for i in range(count):
        obj = get(parent, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth > 0:
            yield from _page_objects(page, depth - 1, obj)
        else:
            yield kind, obj


# Plausible tokens: numbers and amounts, dates, ordinary words, upper-case codes with digits,
# e-mail and web addresses. Anything else (mixed case inside a word, letters and digits mixed
# at random, stray symbols) is what a bad OCR leaves.
_STRIP = "\"'“”‘’«»()[]{}<>.,;:!?*|"
_NUMBER = re.compile(r"[-+(]?[$€£¥#]?\d[\d.,:/\-']*%?\)?")
# Ordinals, times, units: "18th", "8p", "430a", "80g", "12kg".
_NUMBER_UNIT = re.compile(
    r"\d[\d.,:]*(?:st|nd|rd|th|[ap]m?|g|kg|k|m|mm|cm|km|l|ml|h|x|pcs|s)", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]+")
_CODE = re.compile(r"[A-Z0-9][A-Z0-9./\-#]*")
_URL = re.compile(r"\S+@\S+\.\w+|(?:https?://|www\.)\S+")
_SHORT_OK = frozenset({"a", "i", "&", "-", "/", "#", "%", "$", "€", "£", "x", "@", "+", "=", "§"})


def _plausible_word(part: str) -> bool:
    if not _WORD.fullmatch(part):
        return False
    if len(part) == 1:
        return part.lower() in _SHORT_OK
    rest = part[1:]
    # lower, UPPER, Capitalised, or Capitalised with one inner capital (McDonald)
    if rest.islower() or part.isupper():
        return True
    return part[0].isupper() and sum(c.isupper() for c in rest) <= 1


def plausible_token(token: str) -> bool:
    word = token.strip(_STRIP)
    if not word:
        return len(token) <= 2  # a lone bullet or bar is layout, not an OCR error
    if word.lower() in _SHORT_OK:
        return True
    if _NUMBER.fullmatch(word) or _NUMBER_UNIT.fullmatch(word) or _URL.fullmatch(word):
        return True
    if _CODE.fullmatch(word) and any(c.isdigit() for c in word):
        return sum(c.isalpha() for c in word) <= 8 or word.count("-") > 0
    parts = [p for p in re.split(r"[-/&'’+]", word) if p]
    return bool(parts) and all(
        _plausible_word(p) or _NUMBER.fullmatch(p) or _NUMBER_UNIT.fullmatch(p) for p in parts
    )


def garbage_ratio(words: Sequence[str]) -> float:
    """Share of words that are not plausible tokens (0 for no words)."""
    if not words:
        return 0.0
    return sum(not plausible_token(w) for w in words) / len(words)


# How pdfplumber's extract_words groups characters (its defaults, which the parsers were
# tuned on): a gap of more than X_TOLERANCE points starts a new word, characters whose tops
# are within Y_TOLERANCE share a line.
X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0
# Typographic ligatures are split into their letters (as pdfplumber does), so "ﬁnal" is "final".
_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}


class _Char(NamedTuple):
    """A word's text and box (points from the top left of the page as shown)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    upright: bool
    run: int = 0


# A character as _Char's fields (run: the number of spaces and line breaks before it), a plain
# tuple because one is built for every character of the page.
_RawChar = tuple[str, float, float, float, float, bool, int]


def _to_display(pdfium_page: Any) -> tuple[float, float, float, float, float, float]:
    """(a, b, c, d, e, f) with X = a*x + b*y + e, Y = c*x + d*y + f: PDF user space to points
    from the top left of the page as shown (crop box, /Rotate turning it clockwise).

    That is the frame PDFium renders, so text-layer boxes line up with the rendered page.
    """
    x0, y0, x1, y1 = pdfium_page.get_bbox()
    w, h = x1 - x0, y1 - y0
    rotation = pdfium_page.get_rotation() % 360
    if rotation == 90:
        return 0.0, 1.0, 1.0, 0.0, h - y1, -x0
    if rotation == 180:
        return -1.0, 0.0, 0.0, 1.0, w + x0, h - y1
    if rotation == 270:
        return 0.0, -1.0, -1.0, 0.0, y1, w + x0
    return 1.0, 0.0, 0.0, -1.0, -x0, y1


def _chars(pdfium_page: Any) -> list[_RawChar]:
    """The page's printable characters in PDFium's text order, numbered by run between spaces.

    PDFium replaces the spaces drawn in the content by its own ("generated") spaces and line
    breaks, whose boxes are not where the space was printed; so a space only ends a run, and
    the words are then cut at run ends and at gaps.
    """
    ta, tb, tc, td, te, tf = _to_display(pdfium_page)
    rotation = pdfium_page.get_rotation() % 360
    textpage = pdfium_page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        # One call for the whole text; per character only if a character outside the BMP
        # (two UTF-16 units) shifts the indices.
        text = textpage.get_text_range(0, count) if count else ""
        if len(text) != count:
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
        rect = pdfium_c.FS_RECTF()
        matrix = pdfium_c.FS_MATRIX()
        out: list[_RawChar] = []
        run = 0
        # Orientation and size only change between text objects: a character with the same
        # box top and bottom as the one before shares them (saves 3 of 4 calls per character).
        last_box = (math.nan, math.nan)
        upright, size = True, 0.0
        for i, ch in enumerate(text):
            if ch.isspace() or ch < " ":  # control characters too, which pdfplumber would keep
                run += 1
                continue
            # The loose box spans the font's ascent to descent (the tight one only the ink).
            if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
                continue
            left, top, right, bottom = rect.left, rect.top, rect.right, rect.bottom
            box = (top, bottom)
            if box != last_box:
                last_box = box
                angle = math.degrees(pdfium_c.FPDFText_GetCharAngle(raw, i))
                # PDFium's angle is counter-clockwise in user space; /Rotate turns the page
                # clockwise.
                shown = (angle + rotation) % 360
                upright = shown < 10 or shown > 350
                if upright:
                    pdfium_c.FPDFText_GetMatrix(raw, i, matrix)
                    size = pdfium_c.FPDFText_GetFontSize(raw, i) * math.hypot(matrix.c, matrix.d)
            ax, ay = ta * left + tb * top + te, tc * left + td * top + tf
            bx, by = ta * right + tb * bottom + te, tc * right + td * bottom + tf
            if ax > bx:
                ax, bx = bx, ax
            if ay > by:
                ay, by = by, ay
            # pdfminer's box (which the parsers' tolerances were set on) is one font size tall
            # from the descent; the font's ascent sits up to 2 points higher.
            if upright and 0 < size < by - ay:
                ay = by - size
            out.append((_LIGATURES.get(ch, ch), ax, bx, ay, by, upright, run))
        return out
    finally:
        textpage.close()


def _cluster(chars: list[_RawChar], key: Callable[[_RawChar], float]) -> list[list[_RawChar]]:
    """Chains characters whose ``key`` values lie within Y_TOLERANCE of the previous one."""
    groups: list[list[_RawChar]] = []
    last = -math.inf
    for c in sorted(chars, key=key):
        value = key(c)
        if value <= last + Y_TOLERANCE:
            groups[-1].append(c)
        else:
            groups.append([c])
        last = value
    return groups


def _split_words(line: list[_RawChar], upright: bool) -> Iterator[list[_RawChar]]:
    """pdfplumber's rule: a character after a space, left of the previous one's start, more than
    X_TOLERANCE past its end, or off its line by more than Y_TOLERANCE starts a new word."""
    word: list[_RawChar] = []
    p = line[0]
    for c in line:
        if word:
            if c[6] != p[6]:  # a space between them
                new = True
            elif upright:
                new = c[1] < p[1] or c[1] > p[2] + X_TOLERANCE or abs(c[3] - p[3]) > Y_TOLERANCE
            else:
                new = c[3] < p[3] or c[3] > p[4] + Y_TOLERANCE or abs(c[1] - p[1]) > X_TOLERANCE
            if new:
                yield word
                word = []
        word.append(c)
        p = c
    if word:
        yield word


def _merge(chars: list[_RawChar], upright: bool) -> _Char:
    texts, x0s, x1s, tops, bottoms, _, _ = zip(*chars, strict=True)
    return _Char("".join(texts), min(x0s), max(x1s), min(tops), max(bottoms), upright)


_BY_TOP = operator.itemgetter(3)
_BY_LEFT = operator.itemgetter(1)
_ALONG_LINE = operator.itemgetter(1, 2)
_DOWN_COLUMN = operator.itemgetter(3, 4)


def _words(chars: list[_RawChar]) -> list[_Char]:
    """Words (as merged boxes) grouped the way pdfplumber's extract_words does: runs of
    upright / rotated characters, lines by top, characters sorted along the line, split at
    spaces and gaps."""
    words: list[_Char] = []
    for upright, group in itertools.groupby(chars, key=operator.itemgetter(5)):
        members = list(group)
        lines = _cluster(members, _BY_TOP if upright else _BY_LEFT)
        order = _ALONG_LINE if upright else _DOWN_COLUMN
        for line in lines:
            line.sort(key=order)
            words.extend(_merge(w, upright) for w in _split_words(line, upright))
    return words


def _text_page(pdfium_page: Any, number: int) -> Page | None:
    words = _words(_chars(pdfium_page))
    if sum(len(w.text) for w in words) < MIN_TEXT_CHARS:
        return None
    width, height = pdfium_page.get_size()
    # Group words into lines by their vertical position (within 3 points).
    words.sort(key=lambda w: (round(w.top), w.x0))
    lines: list[list[_Char]] = []
    for w in words:
        if lines and abs(lines[-1][0].top - w.top) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for group in lines:
        group.sort(key=lambda w: w.x0)
        out.append(
            Line(
                words=tuple(
                    Word(
                        text=w.text,
                        confidence=1.0,
                        left=int(w.x0),
                        top=int(w.top),
                        width=int(w.x1 - w.x0),
                        height=int(w.bottom - w.top),
                    )
                    for w in group
                )
            )
        )
    return Page(number=number, width=int(width), height=int(height), lines=tuple(out))


def _as_ocr(page: Page) -> Page:
    """An old OCR layer's words are a reading, not the producer's text: not certain."""
    return replace(
        page,
        lines=tuple(
            Line(
                words=tuple(
                    replace(
                        w,
                        confidence=OCR_LAYER_CONFIDENCE if plausible_token(w.text) else 0.5,
                    )
                    for w in ln.words
                )
            )
            for ln in page.lines
        ),
    )


def render(page: PdfPage, dpi: int) -> Image.Image:
    """The page as a grey image at ``dpi``, straight from PDFium (with /Rotate applied)."""
    try:
        with PDFIUM_LOCK:
            bitmap = page.pdfium_doc.page(page.number - 1).render(scale=dpi / 72, grayscale=True)
            image: Image.Image = bitmap.to_pil()
        return image.convert("L")
    except CorruptFileError:
        raise
    except Exception as e:
        raise CorruptFileError(f"page {page.number} of the PDF could not be rendered: {e}") from e
