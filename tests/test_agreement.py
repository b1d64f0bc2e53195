"""Combined mode: the second engine's reading moves confidences, never values."""

from __future__ import annotations

from docintake.domain import FieldValue
from extractors.parsers.agreement import combine


def test_agreement_removes_the_ocr_doubt_and_disagreement_lowers_confidence() -> None:
    first = {
        # 0.95 from the rules, times doubt about a faint print.
        "total_amount": FieldValue("33.90", 0.76, rule=0.95),
        "document_date": FieldValue("2019-01-12", 0.8, rule=0.85),
        "tax_amount": FieldValue("1.92", 0.7, rule=0.8),
    }
    second = {
        "total_amount": FieldValue("33.90", 0.6, rule=0.9),
        "document_date": FieldValue("2019-01-13", 0.9, rule=0.95),
    }
    out = combine(first, second)
    assert out["total_amount"] == FieldValue("33.90", 0.95, rule=0.95)
    assert out["document_date"].value == "2019-01-12"  # the first engine's value stays
    assert out["document_date"].confidence < 0.8
    assert out["tax_amount"].confidence == 0.7  # nothing read by the second engine


def test_agreement_never_lifts_a_field_past_the_parsers_own_doubts() -> None:
    # A name whose spaces the parser guessed: both readings went through the same guess.
    first = {"vendor_name": FieldValue("S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.", 0.73, rule=0.74)}
    out = combine(first, {"vendor_name": FieldValue("S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.", 0.7)})
    assert out["vendor_name"].confidence == 0.74
    # Without the rules' part known, agreement proves nothing.
    bare = {"vendor_name": FieldValue("A SDN BHD", 0.6)}
    assert (
        combine(bare, {"vendor_name": FieldValue("A SDN BHD", 0.6)})["vendor_name"].confidence
        == 0.6
    )


def test_names_agree_only_with_the_same_punctuation() -> None:
    first = {"vendor_name": FieldValue("MR D.I.Y. (JOHOR) SDN BHD", 0.8, rule=0.9)}
    same = combine(first, {"vendor_name": FieldValue("Mr D.I.Y. (Johor)  Sdn Bhd", 0.5)})
    assert same["vendor_name"].confidence == 0.9
    # A comma for a full stop is the misread a second opinion exists to catch.
    other = combine(first, {"vendor_name": FieldValue("MR D,I.Y. (JOHOR) SDN BHD", 0.9)})
    assert other["vendor_name"].confidence < 0.8
