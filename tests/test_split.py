"""A PDF holding several documents is split where a new one starts, and only there."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from docintake.domain import Line, Page, Word
from docintake.exceptions import CorruptFileError
from extractors import pdftext
from extractors.split import page_clues, plan_split, write_parts

_, HEIGHT = A4


def draw_page(c: canvas.Canvas, top: list[str], bottom: list[str]) -> None:
    y = HEIGHT - 60
    for row in top:
        c.drawString(60, y, row)
        y -= 16
    y = 160
    for row in bottom:
        c.drawString(60, y, row)
        y -= 16
    c.showPage()


def _invoice_pages(c: canvas.Canvas, number: str, pages: int, *, counter: bool = True) -> None:
    for n in range(1, pages + 1):
        head = [f"Page {n} of {pages}"] if counter else []
        head += ["Globex Corporation", "INVOICE", f"Invoice No: {number}", "Date: 2024-04-02"]
        rows = [f"Item {n}-{i} 1 10.00 10.00" for i in range(1, 6)]
        bottom = ["Total due 50.00 USD"] if n == pages else ["continued overleaf"]
        draw_page(c, head + rows, bottom)


def _text_pages(path: Path) -> list[Page]:
    with pdftext.open_pdf(path, max_pages=20) as pages:
        out = []
        for p in pages:
            assert p.text_page is not None
            out.append(p.text_page)
        return out


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """Two 2-page invoices ("Page 1 of 2", "Page 2 of 2") and a one-page invoice."""
    path = tmp_path / "bundle.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _invoice_pages(c, "INV-1001", 2)
    _invoice_pages(c, "INV-1002", 2)
    _invoice_pages(c, "INV-1003", 1)
    c.save()
    return path


def test_page_counters_restarting_split_the_bundle(bundle: Path) -> None:
    plan = plan_split(_text_pages(bundle))
    assert plan == (range(0, 2), range(2, 4), range(4, 5))


def test_parts_are_written_as_separate_pdfs(bundle: Path, tmp_path: Path) -> None:
    plan = plan_split(_text_pages(bundle))
    written = write_parts(bundle, plan, tmp_path / "parts")
    assert [p.name for p in written] == ["bundle.part1.pdf", "bundle.part2.pdf", "bundle.part3.pdf"]
    for part, number, pages in zip(
        written, ["INV-1001", "INV-1002", "INV-1003"], [2, 2, 1], strict=True
    ):
        with pdfplumber.open(part) as pdf:
            assert len(pdf.pages) == pages
            texts = [page.extract_text() for page in pdf.pages]
        assert all(f"Invoice No: {number}" in t for t in texts)
        assert f"Page {pages} of {pages}" in texts[-1]


def test_one_document_with_a_counter_is_not_split(tmp_path: Path) -> None:
    path = tmp_path / "one.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _invoice_pages(c, "INV-2001", 3)
    c.save()
    assert plan_split(_text_pages(path)) == (range(0, 3),)


def test_new_title_block_after_totals_splits_without_counters(tmp_path: Path) -> None:
    path = tmp_path / "nocounter.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _invoice_pages(c, "INV-3001", 2, counter=False)
    _invoice_pages(c, "INV-3002", 1, counter=False)
    c.save()
    pages = _text_pages(path)
    assert page_clues(pages[2]).number_on_top == "INV-3002"
    assert plan_split(pages) == (range(0, 2), range(2, 3))


def test_repeated_header_with_the_same_number_is_one_document(tmp_path: Path) -> None:
    # Every page repeats the title block, the last page carries the totals: one invoice.
    path = tmp_path / "repeat.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _invoice_pages(c, "INV-4001", 3, counter=False)
    c.save()
    assert plan_split(_text_pages(path)) == (range(0, 3),)


def _page(rows: list[str], height: int = 1000) -> Page:
    lines = tuple(
        Line(tuple(Word(t, 0.9, 20 + 60 * j, 40 + 30 * i, 50, 20) for j, t in enumerate(r.split())))
        for i, r in enumerate(rows)
    )
    return Page(1, 800, height, lines)


def test_counter_in_the_middle_of_a_document_does_not_split() -> None:
    # "Page 1 of 2" after a page announcing "Page 1 of 3": conflicting, stay one document.
    first = _page(["Page 1 of 3", "INVOICE", "Invoice No: A-1"])
    second = _page(["Page 1 of 2", "Delivery note attachment"])
    assert plan_split([first, second]) == (range(0, 2),)


def test_cover_sheet_without_totals_stays_with_its_document() -> None:
    cover = _page(["Fax cover sheet", "To: accounts payable"])
    body = _page(["Page 1 of 1", "Terms and conditions"])
    assert plan_split([cover, body]) == (range(0, 2),)


def test_empty_and_single_page() -> None:
    assert plan_split([]) == ()
    assert plan_split([_page(["Invoice No: A-1"])]) == (range(0, 1),)


def test_bad_part_range_is_refused(bundle: Path, tmp_path: Path) -> None:
    with pytest.raises(CorruptFileError):
        write_parts(bundle, [range(3, 9)], tmp_path / "parts")
