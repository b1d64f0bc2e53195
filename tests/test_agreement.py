"""Combined mode: the second engine's reading moves confidences, never values."""

from __future__ import annotations

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
    out = combine(first, second_fields)
    assert out["total_amount"].value == "33.90" and out["total_amount"].confidence > 0.8
    assert out["document_date"].value == "2019-01-12"  # the first engine's value stays
    assert out["document_date"].confidence < 0.8
    assert out["tax_amount"].confidence == 0.7  # nothing read by the second engine


def test_names_agree_only_with_the_same_punctuation() -> None:
    first = {"vendor_name": FieldValue("MR D.I.Y. (JOHOR) SDN BHD", 0.8)}
    same = combine(first, {"vendor_name": FieldValue("Mr D.I.Y. (Johor)  Sdn Bhd", 0.5)})
    assert same["vendor_name"].confidence == 0.9
    # A comma for a full stop is the misread a second opinion exists to catch.
    other = combine(first, {"vendor_name": FieldValue("MR D,I.Y. (JOHOR) SDN BHD", 0.9)})
    assert other["vendor_name"].confidence < 0.8
