"""A PDF holding several documents: where each one starts, and the parts as separate PDFs.

Conservative: one document unless the pages say otherwise clearly, either by a page counter
restarting ("Page 1 of 2" after a "Page 2 of 2") or by a new title block with a different
document number at the top of a page that follows a page with the previous one's totals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from docintake.domain import Page
from docintake.exceptions import CorruptFileError
from extractors.pdftext import PDFIUM_LOCK

__all__ = ["PageClues", "page_clues", "plan_split", "write_parts"]

# "Page 1 of 2", "Seite 1 von 2", "Page 1/2", "Página 1 de 2", "Pagina 1 di 2".
_COUNTER = re.compile(
    r"\b(?:page|seite|pag(?:e|ina)|p[áa]gina|blatt|sheet)\s*:?\s*(\d{1,3})\s*"
    r"(?:of|von|de|sur|di|/)\s*(\d{1,3})\b",
    re.IGNORECASE,
)
_TITLE = re.compile(
    r"\b(?:invoice|rechnung|facture|factura|fattura|credit\s+note|gutschrift|avoir|"
    r"receipt|quittung|bill)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\b(?:invoice|rechnung|facture|factura|credit\s+note|gutschrift|document|bill)s?"
    r"[\s-]*(?:no\.?|nr\.?|number|nummer|num[ée]ro|n[°º]|#)\s*[:.#]?\s*"
    r"([A-Z0-9][A-Z0-9/\-.]{2,}[A-Z0-9])",
    re.IGNORECASE,
)
_TOTALS = re.compile(
    r"\b(?:total|amount\s+due|balance\s+due|gesamtbetrag|rechnungsbetrag|endbetrag|"
    r"zahlbetrag|summe|montant\s+d[ûu]|net\s+[àa]\s+payer)\b",
    re.IGNORECASE,
)
# The title block is in the top part of a page; totals are in its lower part.
_TOP_SHARE = 0.35
_BOTTOM_SHARE = 0.4


@dataclass(frozen=True)
class PageClues:
    """What one page says about where it sits in a document."""

    counter: tuple[int, int] | None  # (page, of) from "Page 1 of 2"
    title_on_top: bool
    number_on_top: str | None  # the document number printed in the title block
    totals_below: bool


def page_clues(page: Page) -> PageClues:
    counter: tuple[int, int] | None = None
    title = totals = False
    number: str | None = None
    top_limit = page.height * _TOP_SHARE
    bottom_limit = page.height * (1 - _BOTTOM_SHARE)
    for line in page.lines:
        text = line.text
        if counter is None and (m := _COUNTER.search(text)):
            page_no, of = int(m.group(1)), int(m.group(2))
            if 1 <= page_no <= of:
                counter = (page_no, of)
        if line.top <= top_limit:
            title = title or bool(_TITLE.search(text))
            if number is None and (n := _NUMBER.search(text)):
                number = n.group(1).upper()
        if line.top >= bottom_limit and _TOTALS.search(text):
            totals = True
    return PageClues(counter, title, number, totals)


def plan_split(pages: Sequence[Page]) -> tuple[range, ...]:
    """The documents in ``pages`` as ranges of 0-based page indexes (one range: no split)."""
    if not pages:
        return ()
    clues = [page_clues(p) for p in pages]
    starts = [0]
    current_number = clues[0].number_on_top
    for i in range(1, len(pages)):
        if _starts_document(clues[i - 1], clues[i], current_number):
            starts.append(i)
            current_number = clues[i].number_on_top
        elif current_number is None:
            current_number = clues[i].number_on_top
    ends = [*starts[1:], len(pages)]
    return tuple(range(a, b) for a, b in zip(starts, ends, strict=True))


def _starts_document(before: PageClues, page: PageClues, current_number: str | None) -> bool:
    if page.counter is not None:
        # A counter restarting at 1 after a page that ended its own count (or had none).
        if page.counter[0] != 1:
            return False
        if before.counter is None:
            # A page without a counter may be a cover sheet of this document: only a page
            # that closed a document (totals) or a new title block makes this a new one.
            return before.totals_below or page.title_on_top
        return before.counter[0] == before.counter[1]
    if before.counter is not None and before.counter[0] < before.counter[1]:
        return False  # the page before announced more pages of its document
    # No counter: a new title block with another number after the previous totals.
    return (
        before.totals_below
        and page.title_on_top
        and page.number_on_top is not None
        and current_number is not None
        and page.number_on_top != current_number
    )


def write_parts(path: Path, parts: Sequence[range], out_dir: Path) -> list[Path]:
    """Write each part of the PDF at ``path`` as NAME.partN.pdf in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with PDFIUM_LOCK:
        try:
            src = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as e:
            raise CorruptFileError(f"{path.name} could not be opened to split it: {e}") from e
        try:
            total = len(src)
            for n, part in enumerate(parts, start=1):
                if not part or part.start < 0 or part.stop > total:
                    raise CorruptFileError(
                        f"{path.name} has {total} pages; part {n} ({part}) is not within them"
                    )
                target = out_dir / f"{path.stem}.part{n}.pdf"
                out = pdfium.PdfDocument.new()
                try:
                    out.import_pages(src, pages=list(part))
                    out.save(target)
                except pdfium.PdfiumError as e:
                    raise CorruptFileError(
                        f"part {n} of {path.name} could not be written: {e}"
                    ) from e
                finally:
                    out.close()
                written.append(target)
        finally:
            src.close()
    return written
