"""match_document on small hand-made ledgers (pure: no database, no OCR)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docintake.decision import Thresholds
from docintake.domain import FieldValue
from matching import BillRecord, CustomerRecord, Ledger, MatchPolicy, match_document

AUTO = Thresholds().match_confidence  # what the pipeline auto-accepts at

SRI = CustomerRecord(
    "C1", "Sri Murni Mart Sdn Bhd", "Lot 23, Jalan Bukit Bintang, 55100 Kuala Lumpur", "1187342-K"
)
SRI_BRANCH = CustomerRecord(
    "C9", "Sri Murni Mart Sdn Bhd", "No. 7, Jalan Tun Razak, 50400 Kuala Lumpur", "1187342-K"
)
TAN = CustomerRecord("C2", "Tan Brothers Trading Pte Ltd", "18 Jurong Port Road, Singapore")
TAN_LOOKALIKE = CustomerRecord("C3", "Tan Brothers Trading Sdn Bhd", "5 Jalan Ipoh, Kuala Lumpur")
OTHER = CustomerRecord("C4", "Kedai Jaya Motor Co", "Jalan Klang Lama, Kuala Lumpur")


def bill(
    bill_id: str,
    customer: CustomerRecord,
    amount: str,
    *,
    status: str = "open",
    reference: str | None = None,
    issue: date | None = date(2026, 3, 14),
    due: date | None = date(2026, 4, 13),
    currency: str | None = "MYR",
    remaining: str | None = None,
) -> BillRecord:
    return BillRecord(
        bill_id=bill_id,
        customer_id=customer.customer_id,
        amount_remaining=Decimal(remaining if remaining is not None else amount),
        status=status,
        reference=reference,
        issue_date=issue,
        due_date=due,
        currency=currency,
    )


def fields(confidence: float = 0.95, **values: str) -> dict[str, FieldValue]:
    return {k: FieldValue(v, confidence) for k, v in values.items()}


def receipt(**extra: str) -> dict[str, FieldValue]:
    base = {
        "vendor_name": "SRI MURNI MART SDN. BHD.",
        "total_amount": "60.30",
        "document_date": "2026-03-15",
        "currency": "MYR",
    }
    return fields(**{**base, **extra})


def test_exact_name_amount_date_matches_with_high_confidence():
    ledger = Ledger(
        (SRI, TAN, OTHER),
        (
            bill("B1", SRI, "60.30", reference="CS-041827"),
            bill("B2", SRI, "99.00"),
            bill("B3", TAN, "60.30", currency="SGD"),
        ),
    )

    result = match_document(receipt(), ledger)

    assert (result.customer_id, result.bill_id) == ("C1", "B1")
    assert result.confidence >= AUTO
    assert result.problems == ()
    by_field = {r.field: r for r in result.reasons}
    assert {"vendor_name", "total_amount", "document_date"} <= set(by_field)
    assert by_field["vendor_name"].score == pytest.approx(100)
    assert "C1" in by_field["vendor_name"].against
    assert by_field["total_amount"].score == 100
    assert "B1" in by_field["total_amount"].against
    assert by_field["document_date"].score == 100
    as_json = result.to_json()
    assert as_json["customer_id"] == "C1"
    assert all({"field", "against", "score"} <= set(r) for r in as_json["reasons"])


def test_customer_name_field_also_matches():
    ledger = Ledger((SRI, TAN), (bill("B3", TAN, "500.00", currency="SGD"),))
    doc = fields(
        customer_name="Tan Brothers Trading Pte. Ltd.",
        total_amount="500.00",
        currency="SGD",
        document_date="2026-03-20",
    )

    result = match_document(doc, ledger)

    assert (result.customer_id, result.bill_id) == ("C2", "B3")
    assert result.confidence >= AUTO
    assert result.reasons[0].field == "customer_name"


def test_other_branch_at_another_address_is_not_chosen():
    ledger = Ledger(
        (SRI_BRANCH, SRI),
        (
            bill("B9", SRI_BRANCH, "60.30"),
            bill("B1", SRI, "60.30"),
        ),
    )
    doc = receipt(vendor_address="Lot 23, Jln. Bukit Bintang, 55100 Kuala Lumpur")

    result = match_document(doc, ledger)

    assert (result.customer_id, result.bill_id) == ("C1", "B1")
    assert result.problems == ()
    assert any(r.field == "vendor_address" and "C1" in r.against for r in result.reasons)

    # And the other way round: the document from the Tun Razak branch.
    doc = receipt(vendor_address="No 7 Jalan Tun Razak 50400 Kuala Lumpur")
    assert match_document(doc, ledger).customer_id == "C9"


def test_two_branches_and_no_address_is_ambiguous():
    ledger = Ledger(
        (SRI_BRANCH, SRI),
        (
            bill("B9", SRI_BRANCH, "60.30"),
            bill("B1", SRI, "60.30"),
        ),
    )

    result = match_document(receipt(), ledger)  # no vendor_address on the document

    assert result.bill_id is None
    assert result.confidence < AUTO
    assert any("ambiguous" in p for p in result.problems)


def test_lookalike_with_another_legal_suffix_is_not_chosen():
    ledger = Ledger(
        (TAN_LOOKALIKE, TAN),
        (
            bill("B7", TAN_LOOKALIKE, "500.00", currency="SGD"),
            bill("B3", TAN, "500.00", currency="SGD"),
        ),
    )
    doc = fields(
        vendor_name="Tan Brothers Trading Pte Ltd",
        total_amount="500.00",
        currency="SGD",
        document_date="2026-03-20",
    )

    result = match_document(doc, ledger)

    assert (result.customer_id, result.bill_id) == ("C2", "B3")
    assert result.confidence >= AUTO


def test_lookalike_alone_is_never_trusted():
    ledger = Ledger((TAN_LOOKALIKE,), (bill("B7", TAN_LOOKALIKE, "500.00", currency="SGD"),))
    doc = fields(
        vendor_name="Tan Brothers Trading Pte Ltd",
        total_amount="500.00",
        currency="SGD",
        document_date="2026-03-20",
    )

    result = match_document(doc, ledger)

    assert result.confidence < AUTO
    if result.customer_id is not None:
        assert result.customer_id == "C3"


def test_paid_bill_with_the_same_amount_is_never_matched():
    ledger = Ledger(
        (SRI,),
        (
            bill("B4", SRI, "60.30", status="paid", remaining="0.00", reference="CS-1"),
            bill("B5", SRI, "60.30", status="open", remaining="0.00"),  # settled to zero
        ),
    )

    result = match_document(receipt(document_number="CS-1"), ledger)

    assert result.customer_id == "C1"
    assert result.bill_id is None
    assert result.confidence < AUTO
    assert any("no open bill" in p for p in result.problems)


def test_paid_bill_beside_an_open_one_does_not_make_it_ambiguous():
    ledger = Ledger(
        (SRI,),
        (
            bill("B4", SRI, "60.30", status="paid"),
            bill("B1", SRI, "60.30"),
        ),
    )
    result = match_document(receipt(), ledger)
    assert (result.customer_id, result.bill_id) == ("C1", "B1")
    assert result.problems == ()


def test_two_open_bills_with_the_same_amount_are_ambiguous():
    ledger = Ledger(
        (SRI,),
        (
            bill("B1", SRI, "60.30", reference="CS-041827"),
            bill("B2", SRI, "60.30", reference="CS-041900"),
        ),
    )

    result = match_document(receipt(), ledger)

    assert result.customer_id == "C1"
    assert result.bill_id is None
    assert result.confidence < AUTO
    assert len(result.problems) == 1
    assert "ambiguous" in result.problems[0]
    assert "B1" in result.problems[0] or "B2" in result.problems[0]


def test_reference_equal_to_document_number_resolves_the_ambiguity():
    ledger = Ledger(
        (SRI,),
        (
            bill("B1", SRI, "60.30", reference="CS-041827"),
            bill("B2", SRI, "60.30", reference="CS-041900"),
        ),
    )

    result = match_document(receipt(document_number="CS 041900"), ledger)

    assert (result.customer_id, result.bill_id) == ("C1", "B2")
    assert result.problems == ()
    assert any(
        r.field == "document_number" and "B2" in r.against and r.score == 100
        for r in result.reasons
    )


def test_reference_resolves_the_ambiguity_without_a_date():
    ledger = Ledger(
        (SRI,),
        (
            bill("B1", SRI, "60.30", reference="CS-041827"),
            bill("B2", SRI, "60.30", reference="CS-041900"),
        ),
    )
    doc = fields(
        vendor_name="Sri Murni Mart Sdn Bhd", total_amount="60.30", document_number="CS-041827"
    )

    result = match_document(doc, ledger)

    assert (result.customer_id, result.bill_id) == ("C1", "B1")


def test_reference_with_another_amount_is_a_partial_payment_candidate():
    ledger = Ledger((SRI,), (bill("B1", SRI, "100.00", reference="CS-041827"),))

    result = match_document(receipt(total_amount="40.00", document_number="CS-041827"), ledger)

    assert (result.customer_id, result.bill_id) == ("C1", "B1")
    assert result.confidence < AUTO  # a person confirms partial payments
    assert any(r.field == "total_amount" and r.score == 0 for r in result.reasons)


def test_date_outside_the_bill_period_prefers_the_bill_in_period():
    ledger = Ledger(
        (SRI,),
        (
            bill("B_OLD", SRI, "60.30", issue=date(2025, 6, 1), due=date(2025, 7, 1)),
            bill("B1", SRI, "60.30"),
        ),
    )

    result = match_document(receipt(), ledger)

    assert result.bill_id == "B1"


def test_absent_customer_is_no_match():
    ledger = Ledger((SRI, TAN), (bill("B1", SRI, "60.30"),))
    doc = fields(
        vendor_name="Mega Hardware Emporium", total_amount="60.30", document_date="2026-03-15"
    )

    result = match_document(doc, ledger)

    assert (result.customer_id, result.bill_id) == (None, None)
    assert result.confidence == 0.0
    assert result.problems


def test_no_party_fields_is_no_match():
    ledger = Ledger((SRI,), (bill("B1", SRI, "60.30"),))
    result = match_document(fields(total_amount="60.30"), ledger)
    assert (result.customer_id, result.bill_id) == (None, None)


def test_empty_ledger_is_no_match():
    result = match_document(receipt(), Ledger(()))
    assert (result.customer_id, result.bill_id) == (None, None)


def test_currency_mismatch_excludes_the_bill():
    ledger = Ledger((SRI,), (bill("B1", SRI, "60.30", currency="SGD"),))

    result = match_document(receipt(currency="MYR"), ledger)

    assert result.customer_id == "C1"
    assert result.bill_id is None
    assert result.confidence < AUTO


def test_currency_decides_between_two_bills_with_the_same_amount():
    ledger = Ledger(
        (SRI,),
        (
            bill("B_SGD", SRI, "60.30", currency="SGD"),
            bill("B_MYR", SRI, "60.30", currency="myr"),
        ),
    )
    result = match_document(receipt(currency="MYR"), ledger)
    assert result.bill_id == "B_MYR"
    assert result.problems == ()


def test_matching_tax_id_confirms_a_fuzzy_name():
    ledger = Ledger((SRI,), (bill("B1", SRI, "60.30"),))
    doc = receipt(vendor_name="SRI MURNl MART SDN BHD", vendor_tax_id="1187342K")  # OCR 'l'

    result = match_document(doc, ledger)

    assert (result.customer_id, result.bill_id) == ("C1", "B1")
    assert any(r.field == "vendor_tax_id" for r in result.reasons)


def test_policy_min_name_score_is_respected():
    ledger = Ledger((SRI,), (bill("B1", SRI, "60.30"),))
    doc = receipt(vendor_name="SRI MURNI MARTS SDN BHD")
    assert match_document(doc, ledger).customer_id == "C1"
    strict = MatchPolicy(min_name_score=99.9)
    assert match_document(doc, ledger, strict).customer_id is None


def test_an_invoices_seller_in_the_ledger_is_not_taken_for_its_customer():
    from docintake.domain import DocumentType

    # The seller (Tan Brothers) happens to be a customer too, with an open bill of this amount;
    # the invoice's bill-to (Kedai Jaya Motor) is the one whose bill it settles.
    ledger = Ledger(
        (TAN, OTHER),
        (bill("B3", TAN, "500.00", currency="SGD"), bill("B8", OTHER, "500.00", currency="SGD")),
    )
    invoice = fields(
        vendor_name="Tan Brothers Trading Pte Ltd",
        customer_name="Kedai Jaya Motor Co",
        total_amount="500.00",
        currency="SGD",
        document_date="2026-03-20",
    )

    result = match_document(invoice, ledger, document_type=DocumentType.INVOICE)
    assert (result.customer_id, result.bill_id) == ("C4", "B8")
    assert result.confidence >= AUTO

    # Without its bill-to in the ledger, the seller alone is never trusted.
    alone = Ledger((TAN,), (bill("B3", TAN, "500.00", currency="SGD"),))
    result = match_document(invoice, alone, document_type=DocumentType.INVOICE)
    assert result.confidence < AUTO
    assert any(r.note == "not the customer_name" for r in result.reasons)
