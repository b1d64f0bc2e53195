"""decide() / decide_fields(): when a document may be accepted without a person."""

from __future__ import annotations

import pytest

from docintake.decision import REQUIRED_FIELDS, Thresholds, decide, decide_fields
from docintake.domain import Check, DocumentType, Extraction, FieldValue, MatchReason, MatchResult

T = Thresholds()


def extraction(
    doc_type: DocumentType = DocumentType.RECEIPT,
    type_confidence: float = 0.9,
    confidence: float = 0.95,
    **values: str,
) -> Extraction:
    return Extraction(
        document_type=doc_type,
        type_confidence=type_confidence,
        fields={k: FieldValue(v, confidence) for k, v in values.items()},
    )


def good_receipt(**overrides: FieldValue) -> Extraction:
    base = {
        "vendor_name": FieldValue("Sri Murni Mart Sdn Bhd", 0.95),
        "document_date": FieldValue("2026-03-15", 0.95),
        "total_amount": FieldValue("60.30", 0.95),
    }
    return Extraction(DocumentType.RECEIPT, 0.9, {**base, **overrides})


GOOD_MATCH = MatchResult("C1", "B1", 0.95, (MatchReason("vendor_name", "customer C1 name", 100),))


def test_trustworthy_receipt_with_good_match_is_auto_accepted():
    decision = decide(good_receipt(), GOOD_MATCH, T)
    assert decision.needs_review is False
    assert decision.reasons == ()


@pytest.mark.parametrize("missing", REQUIRED_FIELDS[DocumentType.RECEIPT])
def test_missing_required_receipt_field(missing):
    ex = good_receipt()
    ex = Extraction(
        ex.document_type, ex.type_confidence, {k: v for k, v in ex.fields.items() if k != missing}
    )

    decision = decide(ex, GOOD_MATCH, T)

    assert decision.needs_review is True
    assert decision.reasons == (f"missing {missing}",)


def test_required_fields_per_type():
    # An invoice is posted by its number, amount and bill-to party (issue 7).
    invoice = extraction(DocumentType.INVOICE, vendor_name="Acme")
    assert decide_fields(invoice, T) == [
        "missing document_number",
        "missing total_amount",
        "missing customer_name",
    ]

    customs = extraction(DocumentType.CUSTOMS, consignee="Acme")
    assert decide_fields(customs, T) == ["missing declaration_number", "missing document_date"]

    complete_customs = extraction(
        DocumentType.CUSTOMS, declaration_number="K1-123", document_date="2026-05-04"
    )
    assert decide_fields(complete_customs, T) == []


def test_invoice_needs_a_party_name():
    invoice = extraction(
        DocumentType.CREDIT_NOTE,
        document_number="7",
        document_date="2026-03-15",
        total_amount="10.00",
    )
    assert decide_fields(invoice, T) == [
        "missing customer_name",
        "missing vendor_name and customer_name",
    ]
    with_customer = extraction(
        DocumentType.INVOICE,
        document_number="7",
        document_date="2026-03-15",
        total_amount="10.00",
        customer_name="Acme",
    )
    assert decide_fields(with_customer, T) == []


def test_low_confidence_required_field():
    ex = good_receipt(total_amount=FieldValue("60.30", 0.5))

    decision = decide(ex, GOOD_MATCH, T)

    assert decision.needs_review is True
    assert decision.reasons == ("low confidence in total_amount (0.50 < 0.80)",)


def test_confidence_at_the_threshold_is_enough_and_thresholds_are_configurable():
    at_threshold = good_receipt(total_amount=FieldValue("60.30", 0.80))
    assert decide(at_threshold, GOOD_MATCH, T).needs_review is False

    strict = Thresholds(field_confidence=0.99, match_confidence=0.99)
    decision = decide(good_receipt(), MatchResult("C1", "B1", 0.95), strict)
    assert decision.needs_review is True
    assert "match confidence 0.95 < 0.99" in decision.reasons
    assert sum(r.startswith("low confidence") for r in decision.reasons) == 3
    assert decide_fields(good_receipt(), strict) == [
        "low confidence in vendor_name (0.95 < 0.99)",
        "low confidence in document_date (0.95 < 0.99)",
        "low confidence in total_amount (0.95 < 0.99)",
    ]


def test_low_confidence_optional_field_does_not_matter():
    ex = good_receipt(currency=FieldValue("MYR", 0.1))
    assert decide(ex, GOOD_MATCH, T).needs_review is False


def test_unknown_type_needs_review():
    ex = extraction(DocumentType.UNKNOWN, type_confidence=0.0, total_amount="60.30")

    decision = decide(ex, None, T)

    assert decision.needs_review is True
    assert decision.reasons == ("document type not recognised",)


def test_uncertain_type_needs_review():
    ex = good_receipt()
    ex = Extraction(DocumentType.RECEIPT, 0.3, ex.fields)

    reasons = decide(ex, GOOD_MATCH, T).reasons

    assert reasons == ("document type uncertain (receipt, 0.30)",)


def test_no_ledger_consulted_uses_the_fields_alone():
    assert decide(good_receipt(), None, T).needs_review is False


def test_no_matching_customer():
    no_match = MatchResult(None, None, 0.0, problems=("no customer in the ledger has this name",))

    decision = decide(good_receipt(), no_match, T)

    assert decision.needs_review is True
    assert decision.reasons == ("no matching customer", "no customer in the ledger has this name")


def test_customer_without_bill():
    no_bill = MatchResult(
        "C1", None, 0.5, problems=("ambiguous: bill B2 of the same customer fits almost as well",)
    )

    decision = decide(good_receipt(), no_bill, T)

    assert decision.needs_review is True
    assert decision.reasons[0] == "no single open bill matches"
    assert "ambiguous" in decision.reasons[1]


def test_match_below_threshold():
    weak = MatchResult("C1", "B1", 0.84)

    decision = decide(good_receipt(), weak, T)

    assert decision.needs_review is True
    assert decision.reasons == ("match confidence 0.84 < 0.85",)
    assert decide(good_receipt(), MatchResult("C1", "B1", 0.85), T).needs_review is False


def test_match_problems_alone_send_to_review():
    troubled = MatchResult("C1", "B1", 0.95, problems=("something is off",))
    decision = decide(good_receipt(), troubled, T)
    assert decision.needs_review is True
    assert decision.reasons == ("something is off",)


def test_reasons_are_combined_and_deduplicated():
    ex = good_receipt(total_amount=FieldValue("60.30", 0.2))
    ex = Extraction(
        ex.document_type,
        ex.type_confidence,
        {k: v for k, v in ex.fields.items() if k != "vendor_name"},
    )
    match = MatchResult("C1", None, 0.4, problems=("missing vendor_name", "x", "x"))

    decision = decide(ex, match, T)

    assert decision.reasons == (
        "missing vendor_name",
        "low confidence in total_amount (0.20 < 0.80)",
        "no single open bill matches",
        "x",
    )


# ---- the ledger corroborates low-confidence fields -------------------------------------------


def _amount_reason(score: float) -> MatchReason:
    return MatchReason("total_amount", "bill B1 amount due", score)


def test_bill_of_exactly_this_amount_corroborates_a_low_confidence_total():
    ex = good_receipt(total_amount=FieldValue("60.30", 0.4))
    match = MatchResult("C1", "B1", 0.95, (_amount_reason(100),))

    decision = decide(ex, match, T)

    assert decision.needs_review is False
    assert decision.reasons == ()


def test_weak_reason_does_not_corroborate():
    ex = good_receipt(total_amount=FieldValue("60.30", 0.4))
    match = MatchResult("C1", "B1", 0.95, (_amount_reason(80),))

    assert decide(ex, match, T).reasons == ("low confidence in total_amount (0.40 < 0.80)",)


def test_without_a_bill_nothing_is_corroborated():
    ex = good_receipt(total_amount=FieldValue("60.30", 0.4))
    match = MatchResult("C1", None, 0.5, (_amount_reason(100),))

    reasons = decide(ex, match, T).reasons

    assert "low confidence in total_amount (0.40 < 0.80)" in reasons
    assert "no single open bill matches" in reasons


def test_corroboration_only_covers_the_fields_named():
    ex = good_receipt(
        total_amount=FieldValue("60.30", 0.4), document_date=FieldValue("2026-03-15", 0.4)
    )
    match = MatchResult("C1", "B1", 0.95, (_amount_reason(100),))

    assert decide(ex, match, T).reasons == ("low confidence in document_date (0.40 < 0.80)",)


def test_corroboration_does_not_hide_a_missing_field():
    ex = extraction(DocumentType.RECEIPT, vendor_name="Sri Murni", document_date="2026-03-15")
    assert decide_fields(ex, T, frozenset({"total_amount"})) == ["missing total_amount"]


def test_every_field_of_an_invoice_or_trade_paper_must_be_trusted():
    fields = {
        "document_number": FieldValue("INV-7", 0.95),
        "total_amount": FieldValue("10.00", 0.95),
        "customer_name": FieldValue("Acme", 0.9),
        "period_end": FieldValue("2026-03-31", 0.6),
    }
    invoice = Extraction(DocumentType.INVOICE, 0.9, fields)
    assert decide_fields(invoice, T) == ["low confidence in period_end (0.60 < 0.80)"]
    # A receipt is posted on its required fields alone, as before.
    receipt = good_receipt(vendor_address=FieldValue("somewhere", 0.3))
    assert decide_fields(receipt, T) == []


def test_a_failed_check_is_a_reason_for_review():
    ex = good_receipt()
    failed = Check("net_plus_tax", False, "net 10.00 + tax 1.90 is not the total 12.00")
    checked = Extraction(ex.document_type, ex.type_confidence, ex.fields, checks=(failed,))
    assert decide_fields(checked, T) == [
        "check failed: net 10.00 + tax 1.90 is not the total 12.00"
    ]
