"""Finding where each field's value is printed, on recorded OCR output."""

from __future__ import annotations

import time

import pytest
from ocr_fixtures import lines_to_text, load

from docintake.domain import DocumentText, FieldValue, Line, Page, Word
from extractors.doctype import detect_document_type
from extractors.locate import FieldBox, locate_fields
from extractors.parsers import parse_fields


def fv(value: str) -> FieldValue:
    return FieldValue(value, 0.9)


def line_of(text: DocumentText, needle: str) -> Line:
    """The first line whose text contains ``needle`` (upper case)."""
    return next(ln for ln in text.lines if needle in ln.text.upper())


def inside(box: FieldBox, line: Line) -> bool:
    """The box lies within the bounds of the line's words."""
    right = max(w.left + w.width for w in line.words)
    bottom = max(w.top + w.height for w in line.words)
    top = min(w.top for w in line.words)
    return (
        box.x >= line.left
        and box.y >= top
        and box.x + box.w <= right
        and box.y + box.h <= bottom
        and box.w > 0
        and box.h > 0
    )


def test_receipt_photo_total_date_and_vendor_are_on_their_lines() -> None:
    text = load("sample-receipt-photo")
    boxes = locate_fields(
        text,
        {
            "vendor_name": fv("SRI MURNI MART SDN BHD"),
            "document_date": fv("2026-03-14"),
            "total_amount": fv("61.80"),
            "tax_amount": fv("3.50"),
            "document_number": fv("CS-041827"),
        },
    )
    total = line_of(text, "TOTAL (RM)")
    assert inside(boxes["total_amount"], total)
    # Just the amount, not the label: the box is the word "61.80".
    amount = next(w for w in total.words if w.text == "61.80")
    assert (boxes["total_amount"].x, boxes["total_amount"].y) == (amount.left, amount.top)
    assert (boxes["total_amount"].w, boxes["total_amount"].h) == (amount.width, amount.height)
    assert inside(boxes["document_date"], line_of(text, "14/03/2026"))  # printed, not ISO
    assert inside(boxes["vendor_name"], line_of(text, "SRI MURNI"))
    assert inside(boxes["tax_amount"], line_of(text, "GST 6%"))
    assert inside(boxes["document_number"], line_of(text, "RECEIPT NO"))
    page = text.pages[0]
    assert all(b.page == 1 for b in boxes.values())
    assert {(b.page_width, b.page_height) for b in boxes.values()} == {(page.width, page.height)}


def test_a_value_not_printed_gets_no_box() -> None:
    text = load("sample-receipt-photo")
    boxes = locate_fields(
        text,
        {
            "total_amount": fv("16.80"),  # 61.80 is printed, and 161.80 would not be 16.80
            "document_date": fv("2026-03-15"),
            "vendor_name": fv("HARBOURLINE SUPPLY CO"),
            "hs_codes": FieldValue(("61.80",), 0.9),  # list fields are not located
        },
    )
    assert boxes == {}


def test_an_amount_near_a_longer_number_is_not_found_inside_it() -> None:
    text = lines_to_text(["SUBTOTAL 161.80", "TOTAL RM61.80", "CASH 100.00"])
    boxes = locate_fields(text, {"total_amount": fv("61.80"), "tax_amount": fv("100")})
    assert inside(boxes["total_amount"], line_of(text, "TOTAL RM61.80"))
    assert "tax_amount" not in boxes


def test_an_address_over_two_lines_gets_one_box_over_both() -> None:
    text = load("sample-receipt-photo")
    address = "LOT 23, JALAN BUKIT BINTANG, 55100 KUALA LUMPUR"
    box = locate_fields(text, {"vendor_address": fv(address)})["vendor_address"]
    first, second = line_of(text, "LOT 23"), line_of(text, "55100")
    assert box.y <= min(w.top for w in first.words)
    assert box.y + box.h >= max(w.top + w.height for w in second.words)


@pytest.mark.parametrize(
    ("name", "total_line", "date_line"),
    [
        ("rapidocr-sroie-002", "TOTAL", "12-01-19"),
        ("rapidocr-sroie-007", "TOTAL", "23-01-2019"),
        ("rapidocr-sroie-146", "TTL", "24 MAR 18"),
        ("rapidocr-sroie-108", "TOTAL", "03/02/2018"),  # glued to the time by the OCR
    ],
)
def test_sroie_receipts_parsed_fields_are_located(
    name: str, total_line: str, date_line: str
) -> None:
    text = load(name)
    fields = parse_fields(text, detect_document_type(text)[0])
    started = time.perf_counter()
    boxes = locate_fields(text, fields)
    assert time.perf_counter() - started < 0.5  # a receipt is ~50 lines: fast
    total = boxes["total_amount"]
    on_total = [ln for ln in text.lines if total_line in ln.text.upper() and inside(total, ln)]
    assert on_total, f"the total's box is not on a {total_line} line"
    assert inside(boxes["document_date"], line_of(text, date_line))
    vendor = str(fields["vendor_name"].value)
    assert inside(boxes["vendor_name"], line_of(text, vendor.split()[0].upper()))


def test_a_digital_pdf_page_is_located_in_its_own_coordinates() -> None:
    text = load("sample-invoice-digital")
    boxes = locate_fields(text, {"total_amount": fv("1998.41"), "due_date": fv("2026-03-11")})
    assert inside(boxes["total_amount"], line_of(text, "1,998.41"))
    assert inside(boxes["due_date"], line_of(text, "11 MAR 2026"))
    assert boxes["total_amount"].page_width == text.pages[0].width


def test_pages_without_word_boxes_get_no_boxes() -> None:
    words = (Word("TOTAL", 1.0, 0, 0, 0, 0), Word("61.80", 1.0, 0, 0, 0, 0))
    text = DocumentText(pages=(Page(1, 595, 842, (Line(words),)),), engine="pdf-text")
    assert locate_fields(text, {"total_amount": fv("61.80")}) == {}
