"""The whole extraction (type, fields, confidence, decision) on recorded rapidocr output of
real receipts from sroie-dev. No OCR runs here; expected values are the dataset's truth."""

from __future__ import annotations

import pytest
from ocr_fixtures import load

from docintake.decision import Thresholds, decide_fields
from docintake.domain import DocumentType, Extraction
from extractors.doctype import detect_document_type
from extractors.parsers import parse_fields

TRUTH = {
    "rapidocr-sroie-002": {
        "vendor_name": "MR D.I.Y. (JOHOR) SDN BHD",
        "document_date": "2019-01-12",
        "total_amount": "33.90",  # TOTAL 33.92, ROUNDING -0.02, TOTAL ROUNDED 33.90
    },
    "rapidocr-sroie-007": {
        "vendor_name": "S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.",
        "vendor_address": "NO. 343, JALAN KURAU, SUNGAI RENGIT, 81620 PENGERANG, JOHOR.",
        "document_date": "2019-01-23",
        "total_amount": "20.00",
    },
    "rapidocr-sroie-108": {
        "vendor_name": "LIM SENG THO HARDWARE TRADING",
        "document_date": "2018-02-03",  # printed glued to the time: "03/02/201815:28"
        "total_amount": "7.00",
    },
    "rapidocr-sroie-532": {
        "document_date": "2018-06-01",
        "total_amount": "43.40",  # "SUBTOTAL RN43.40" / "TTL CASH RM43.40"
    },
}


def _extract(name: str) -> Extraction:
    text = load(name)
    kind, confidence = detect_document_type(text)
    return Extraction(kind, confidence, parse_fields(text, kind))


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_recorded_rapidocr_receipts_give_the_printed_fields(name: str) -> None:
    extraction = _extract(name)
    assert extraction.document_type is DocumentType.RECEIPT
    for field, want in TRUTH[name].items():
        got = extraction.fields.get(field)
        assert got is not None, field
        assert " ".join(str(got.value).upper().split()) == want, field


@pytest.mark.parametrize("name", ["rapidocr-sroie-002", "rapidocr-sroie-108"])
def test_clean_receipts_with_checked_totals_are_auto_accepted(name: str) -> None:
    extraction = _extract(name)
    assert decide_fields(extraction, Thresholds()) == []
    assert extraction.fields["total_amount"].confidence >= 0.9  # arithmetic confirms it


def test_rounded_total_is_what_was_paid() -> None:
    # sroie-146 prints "Total: 72.93", "RND ADJ 0.02", "TTL AFT RND 72.95", "Payment 73.00",
    # "Change Due 0.05": the amount paid is the rounded total. (The dataset's truth says 72.93.)
    fields = _extract("rapidocr-sroie-146").fields
    assert fields["total_amount"].value == "72.95"


def test_a_name_whose_spaces_were_guessed_goes_to_a_person() -> None:
    # Read "S.H.H.MOTOR(SUNGAI RENGIT)SDN.BHD."; the repaired spacing is right, but a guess.
    fields = _extract("rapidocr-sroie-007").fields
    assert fields["vendor_name"].value == "S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD."
    assert fields["vendor_name"].confidence < Thresholds().field_confidence
