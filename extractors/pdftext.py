"""PDF access through pdfplumber: the text layer, and page images for OCR when there is none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image

from docintake.domain import Line, Page, Word
from docintake.exceptions import CorruptFileError, EncryptedPdfError, UnsupportedFileError

# A page with fewer characters than this in its text layer is treated as a scan.
MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class PdfPage:
    number: int
    width_pt: float
    height_pt: float
    text_page: Page | None  # None when the page has no usable text layer
    plumber_page: Any  # pdfplumber.page.Page, kept for render() in this module only


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


@contextmanager
def open_pdf(path: Path, max_pages: int) -> Iterator[list[PdfPage]]:
    try:
        pdf = pdfplumber.open(path)
    except Exception as e:  # pdfminer raises many unrelated types on bad input
        raise _explain(path, e) from e
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
        for i, page in enumerate(pdf.pages, start=1):
            try:
                pages.append(
                    PdfPage(
                        number=i,
                        width_pt=float(page.width),
                        height_pt=float(page.height),
                        text_page=_text_page(page, i),
                        plumber_page=page,
                    )
                )
            except Exception as e:
                raise _explain(path, e) from e
        yield pages
    finally:
        pdf.close()


def _text_page(page: Any, number: int) -> Page | None:
    words = page.extract_words(use_text_flow=False, keep_blank_chars=False)
    if sum(len(w["text"]) for w in words) < MIN_TEXT_CHARS:
        return None
    # Group words into lines by their vertical position (within 3 points).
    words.sort(key=lambda w: (round(w["top"]), w["x0"]))
    lines: list[list[dict[str, Any]]] = []
    for w in words:
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for group in lines:
        group.sort(key=lambda w: w["x0"])
        out.append(
            Line(
                words=tuple(
                    Word(
                        text=w["text"],
                        confidence=1.0,
                        left=int(w["x0"]),
                        top=int(w["top"]),
                        width=int(w["x1"] - w["x0"]),
                        height=int(w["bottom"] - w["top"]),
                    )
                    for w in group
                )
            )
        )
    return Page(number=number, width=int(page.width), height=int(page.height), lines=tuple(out))


def render(page: PdfPage, dpi: int) -> Image.Image:
    try:
        return page.plumber_page.to_image(resolution=dpi).original.convert("L")
    except Exception as e:
        raise CorruptFileError(f"page {page.number} of the PDF could not be rendered: {e}") from e
