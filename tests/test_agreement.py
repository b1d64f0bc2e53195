"""Combined mode: the second engine's reading moves confidences, never values."""

from __future__ import annotations

from ocr_fixtures import lines_to_text

from docintake.domain import FieldValue
from extractors.parsers.agreement import combine


def test_agreement_raises_and_disagreement_lowers_confidence() -> None:
    first = {
        "total_amount": FieldValue("33.90", 0.8),
        "document_date": FieldValue("2019-01-12", 0.8),
        "tax_amount": FieldValue("1.92", 0.7),
    }
    second_fields = {
        "total_amount": FieldValue("33.90", 0.6),
        "document_date": FieldValue("2019-01-13", 0.9),
    }
    out = combine(first, second_fields, lines_to_text(["TOTAL 33.90"]))
    assert out["total_amount"].value == "33.90" and out["total_amount"].confidence > 0.8
    assert out["document_date"].value == "2019-01-12"  # the first engine's value stays
    assert out["document_date"].confidence < 0.8
    assert out["tax_amount"].confidence == 0.7  # nothing read by the second engine


def test_a_name_found_in_the_second_engines_text_is_confirmed() -> None:
    first = {"vendor_name": FieldValue("MR D.I.Y. (JOHOR) SDN BHD", 0.8)}
    second = lines_to_text(["MR D.I.Y.(JOHOR) SDN BHD", "(CO.REG :933109-X)"])
    out = combine(first, {}, second)
    assert out["vendor_name"].confidence > 0.8
    unrelated = combine(first, {}, lines_to_text(["SOMETHING ELSE ENTIRELY"]))
    assert unrelated["vendor_name"].confidence == 0.8
