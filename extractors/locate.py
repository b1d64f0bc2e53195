"""Where each field's value is printed on the page: a box for the review page to highlight.

The box is in the page's own coordinates (image pixels, or PDF points for a text layer), the
same as the words' boxes; the page's width and height go with it so a viewer can scale it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from docintake.domain import DocumentText, FieldValue, Word

# Below this a text value is not considered found: the box would point at the wrong words.
MIN_SCORE = 85.0
MAX_WINDOW_WORDS = 12  # a value longer than this is matched by whole lines
MAX_WINDOW_LINES = 5  # addresses run over a few lines

# Amounts printed more than once (subtotal = total, a tax-free receipt): prefer the line that
# names the field.
HINTS: dict[str, tuple[str, ...]] = {
    "total_amount": ("TOTAL", "TTL", "JUMLAH", "AMOUNT", "DUE", "SUMME", "BETRAG", "GESAMT"),
    "tax_amount": ("TAX", "GST", "VAT", "SST", "MWST", "UST"),
}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class FieldBox:
    page: int  # 1-based
    x: int
    y: int
    w: int
    h: int
    page_width: int
    page_height: int

    def to_json(self) -> dict[str, int]:
        return {
            "page": self.page,
            "x": self.x,
            "y": self.y,
            "w": self.w,
            "h": self.h,
            "page_width": self.page_width,
            "page_height": self.page_height,
        }


@dataclass(frozen=True)
class _Window:
    """Consecutive words (within a line, or whole consecutive lines) and their text."""

    norm: str
    words: tuple[Word, ...]
    page: int
    line_text: str  # upper-cased text of the line(s), for the hints
    lines: int = 1


def normalise(text: str) -> str:
    """Upper case, letters and digits only: "RM 61.80" -> "RM6180"."""
    return "".join(c for c in text.upper() if c.isalnum())


def locate_fields(text: DocumentText, fields: Mapping[str, FieldValue]) -> dict[str, FieldBox]:
    """A box for each scalar field whose value is found printed; none for the rest."""
    windows = _windows(text)
    if not windows:
        return {}
    sizes = {p.number: (p.width, p.height) for p in text.pages}
    boxes = {}
    for name, fv in fields.items():
        if not isinstance(fv.value, str):
            continue  # list fields (hs_codes) are printed in many places
        found = _find(name, fv.value, windows)
        if found is not None:
            boxes[name] = _union(found, *sizes[found.page])
    return boxes


def _windows(text: DocumentText) -> list[_Window]:
    out = []
    for page in text.pages:
        # A word without a box (zero size) cannot be shown; such pages get no boxes.
        lines = [
            tuple(w for w in line.words if w.width > 0 and w.height > 0) for line in page.lines
        ]
        lines = [words for words in lines if words]
        for i, words in enumerate(lines):
            line_text = " ".join(w.text for w in words).upper()
            for start in range(len(words)):
                for end in range(start + 1, min(len(words), start + MAX_WINDOW_WORDS) + 1):
                    chunk = words[start:end]
                    norm = normalise("".join(w.text for w in chunk))
                    if norm:
                        out.append(_Window(norm, chunk, page.number, line_text))
            if len(words) > MAX_WINDOW_WORDS:  # a long value is still found as a whole line
                out.append(_Window(normalise(line_text), words, page.number, line_text))
            for n in range(2, MAX_WINDOW_LINES + 1):
                if i + n > len(lines):
                    break
                group = lines[i : i + n]
                chunk = tuple(w for ws in group for w in ws)
                joined = " ".join(" ".join(w.text for w in ws) for ws in group).upper()
                out.append(_Window(normalise(joined), chunk, page.number, joined, n))
    return out


def _find(name: str, value: str, windows: list[_Window]) -> _Window | None:
    forms = _printed_forms(value)
    if not forms:
        return None
    if _numeric(forms[0]):
        # OCR glues a date to the time ("03/02/201815:28"); a full date is distinctive enough
        # to be found so, a short number is not.
        glued = frozenset(f for f in forms if len(f) >= 8) if _ISO_DATE.fullmatch(value) else None
        return _find_exact(name, forms, windows, glued or frozenset())
    return _find_fuzzy(forms[0], windows)


def _numeric(norm: str) -> bool:
    # Numbers, dates and references: one wrong digit is a different value, so no fuzziness.
    return sum(c.isdigit() for c in norm) * 2 >= len(norm)


def _printed_forms(value: str) -> list[str]:
    """The value's normalised forms as it may be printed, the canonical one first."""
    norm = normalise(value)
    if not norm:
        return []
    forms = [norm]
    m = _ISO_DATE.fullmatch(value.strip())
    if m:
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return forms
        dd, mm, yyyy, yy, mon = (
            f"{d.day:02}",
            f"{d.month:02}",
            f"{d.year}",
            f"{d.year % 100:02}",
            MONTHS[d.month - 1],
        )
        forms += [
            dd + mm + yyyy,  # 14/03/2026, 14.03.2026
            dd + mm + yy,  # 14-03-26
            mm + dd + yyyy,  # 03/14/2026
            f"{d.day}{d.month}{yyyy}",  # 14/3/2026
            dd + mon + yyyy,  # 14 MAR 2026
            dd + mon + yy,  # 14MAR26
            mon + dd + yyyy,  # MAR 14, 2026
        ]
    elif re.fullmatch(r"\d+\.00", value.strip()):
        forms.append(value.strip()[:-3])  # "60.00" printed as "60"
    return list(dict.fromkeys(forms))


def _contains(norm: str, form: str, glued: frozenset[str]) -> bool:
    """``form`` in ``norm`` with no digit glued to either side ("RM6180", not "16180"),
    unless the form may be glued."""
    start = norm.find(form)
    if start >= 0 and form in glued:
        return True
    while start >= 0:
        end = start + len(form)
        before = norm[start - 1] if start else ""
        after = norm[end] if end < len(norm) else ""
        if not before.isdigit() and not after.isdigit():
            return True
        start = norm.find(form, start + 1)
    return False


def _find_exact(
    name: str, forms: list[str], windows: list[_Window], glued: frozenset[str]
) -> _Window | None:
    hints = HINTS.get(name, ())
    best: tuple[int, int, int] | None = None  # (no hint, words, order)
    found = None
    for order, window in enumerate(windows):
        # A number is printed on one line; across lines the hint could come from another.
        if window.lines == 1 and any(_contains(window.norm, form, glued) for form in forms):
            hinted = any(h in window.line_text for h in hints)
            key = (0 if hinted else 1, len(window.words), order)
            if best is None or key < best:
                best, found = key, window
    return found


def _find_fuzzy(norm: str, windows: list[_Window]) -> _Window | None:
    best: tuple[float, int] | None = None  # (score, -words): the best, then the tightest
    found = None
    for window in windows:
        a, b = len(norm), len(window.norm)
        # ratio can be at most 2*min/(a+b): skip windows of hopeless length without scoring.
        if 200 * min(a, b) < MIN_SCORE * (a + b):
            continue
        score = fuzz.ratio(norm, window.norm)
        key = (score, -len(window.words))
        if score >= MIN_SCORE and (best is None or key > best):
            best, found = key, window
    return found


def _union(window: _Window, page_width: int, page_height: int) -> FieldBox:
    left = min(w.left for w in window.words)
    top = min(w.top for w in window.words)
    right = max(w.left + w.width for w in window.words)
    bottom = max(w.top + w.height for w in window.words)
    return FieldBox(window.page, left, top, right - left, bottom - top, page_width, page_height)
