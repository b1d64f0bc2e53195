"""The double-review rules (docintake.review) against a real temporary SQLite database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from docintake import review
from docintake.cli import main
from docintake.exceptions import NotFoundError, ReviewError, UsageError
from storage.db import Database
from storage.models import Approval, Bill, Document
from storage.repositories import apply_payment, audit_trail


def _doc(db: Database, doc_id: int) -> Document:
    with db.session() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        _ = list(doc.approvals)  # load while the session is open
        return doc


def _bill(db: Database, bill_id: str) -> Bill:
    with db.session() as s:
        bill = s.get(Bill, bill_id)
        assert bill is not None
        return bill


def _trail(db: Database, entity: str, entity_id: str | int) -> list[tuple]:
    with db.session() as s:
        return [
            (e.actor, e.action, e.field, e.old_value, e.new_value, e.at)
            for e in audit_trail(s, entity, entity_id)
        ]


def _actions(db: Database, entity: str, entity_id: str | int) -> list[str]:
    return [t[1] for t in _trail(db, entity, entity_id)]


# ---- two reviewers --------------------------------------------------------------------------


def test_first_approval_keeps_document_in_review(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"})

    result = review.approve(ledger_db, doc_id, "alice")

    assert result.status == "needs_review"
    assert result.approvals == ["alice"]
    assert "one more reviewer" in result.message
    doc = _doc(ledger_db, doc_id)
    assert doc.status == "needs_review"
    assert doc.posted_at is None
    assert [a.reviewer for a in doc.approvals] == ["alice"]
    bill = _bill(ledger_db, "B1")
    assert bill.status == "open"
    assert bill.amount_remaining == Decimal("60.30")


@pytest.mark.parametrize("second", ["alice", "Alice", "  ALICE  "])
def test_same_reviewer_cannot_approve_twice(ledger_db, make_document, second):
    doc_id = make_document({"total_amount": "60.30"})
    review.approve(ledger_db, doc_id, "alice")

    with pytest.raises(ReviewError) as info:
        review.approve(ledger_db, doc_id, second)

    assert "different reviewer" in info.value.message
    assert info.value.exit_code != 0
    doc = _doc(ledger_db, doc_id)
    assert doc.status == "needs_review"
    assert [a.reviewer for a in doc.approvals] == ["alice"]
    assert _bill(ledger_db, "B1").status == "open"


def test_second_reviewer_accepts_and_pays_the_bill(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    result = review.approve(ledger_db, doc_id, "bob")

    assert result.status == "accepted"
    assert result.approvals == ["alice", "bob"]
    assert "B1" in result.message
    doc = _doc(ledger_db, doc_id)
    assert doc.status == "accepted"
    assert doc.posted_at is not None
    bill = _bill(ledger_db, "B1")
    assert bill.status == "paid"
    assert bill.amount_remaining == Decimal("0.00")
    # The queue no longer shows it.
    assert doc_id not in [i.id for i in review.list_queue(ledger_db)]


def test_smaller_total_leaves_the_bill_partial(ledger_db, make_document):
    doc_id = make_document({"total_amount": "40.00"}, bill_id="B2")  # B2 is 100.00
    review.approve(ledger_db, doc_id, "alice")
    review.approve(ledger_db, doc_id, "bob")

    bill = _bill(ledger_db, "B2")
    assert bill.status == "partial"
    assert bill.amount_remaining == Decimal("60.00")

    # A second document for the rest settles it.
    rest = make_document({"total_amount": "60.00"}, bill_id="B2")
    review.approve(ledger_db, rest, "carol")
    review.approve(ledger_db, rest, "dave")
    bill = _bill(ledger_db, "B2")
    assert bill.status == "paid"
    assert bill.amount_remaining == Decimal("0.00")


def test_document_without_bill_is_accepted_without_payment(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, customer_id=None, bill_id=None)
    review.approve(ledger_db, doc_id, "alice")
    result = review.approve(ledger_db, doc_id, "bob")

    assert result.status == "accepted"
    assert _bill(ledger_db, "B1").status == "open"
    assert "payment" not in _actions(ledger_db, "bill", "B1")


def test_audit_trail_records_approve_accept_and_payment(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    before = datetime.now(UTC) - timedelta(seconds=5)
    review.approve(ledger_db, doc_id, "alice")
    review.approve(ledger_db, doc_id, "bob")

    doc_trail = _trail(ledger_db, "document", doc_id)
    approvals = [(t[0], t[1]) for t in doc_trail if t[1] == "approve"]
    assert approvals == [("alice", "approve"), ("bob", "approve")]
    accepts = [t for t in doc_trail if t[1] == "accept"]
    assert len(accepts) == 1
    actor, _, field, old, new, _at = accepts[0]
    assert (actor, field, old, new) == ("bob", "status", "needs_review", "accepted")

    bill_trail = _trail(ledger_db, "bill", "B1")
    payments = {t[2]: t for t in bill_trail if t[1] == "payment"}
    assert set(payments) == {"amount_remaining", "status"}
    assert payments["amount_remaining"][3:5] == ("60.30", "0.00")
    assert payments["status"][3:5] == ("open", "paid")
    assert all(t[0] == "bob" for t in payments.values())
    for entry in doc_trail + bill_trail:
        at = entry[5]
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        assert at >= before

    shown = review.show(ledger_db, doc_id)
    assert [a["action"] for a in shown["audit"]].count("approve") == 2
    assert shown["status"] == "accepted"


def test_second_approval_is_refused_when_the_bill_was_settled_meanwhile(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")
    with ledger_db.session() as s:
        apply_payment(s, "B1", Decimal("60.30"), actor="someone-else")

    with pytest.raises(ReviewError, match="no longer open"):
        review.approve(ledger_db, doc_id, "bob")

    doc = _doc(ledger_db, doc_id)
    assert doc.status == "needs_review"
    assert [a.reviewer for a in doc.approvals] == ["alice"]  # bob's approval rolled back


def test_second_approval_needs_a_usable_total_to_settle(ledger_db, make_document):
    doc_id = make_document({"vendor_name": "Sri Murni Mart"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    with pytest.raises(ReviewError, match="total_amount"):
        review.approve(ledger_db, doc_id, "bob")

    assert _doc(ledger_db, doc_id).status == "needs_review"
    assert _bill(ledger_db, "B1").amount_remaining == Decimal("60.30")


# ---- corrections ----------------------------------------------------------------------------


def test_parse_assignments_normalises_values():
    got = review.parse_assignments(
        [
            "total_amount=1,234.5",
            " document_date = 2026-03-15",
            "currency=myr",
            "hs_codes=8471.30, 8517.62,",
            "vendor_name=Sri Murni Mart Sdn Bhd",
            "document_number=A=B",  # only the first '=' separates
        ]
    )
    assert got == {
        "total_amount": "1234.50",
        "document_date": "2026-03-15",
        "currency": "MYR",
        "hs_codes": ["8471.30", "8517.62"],
        "vendor_name": "Sri Murni Mart Sdn Bhd",
        "document_number": "A=B",
    }


@pytest.mark.parametrize(
    ("pair", "words"),
    [
        ("colour=red", "Unknown field"),
        ("total=60.30", "Unknown field"),
        ("no-equals-sign", "field=value"),
        ("document_date=15/03/2026", "YYYY-MM-DD"),
        ("document_date=2026-02-30", "YYYY-MM-DD"),
        ("due_date=tomorrow", "YYYY-MM-DD"),
        ("total_amount=abc", "number"),
        ("total_amount=12.3.4", "number"),
        ("total_amount=", "number"),
        ("total_amount=NaN", "number"),
        ("total_amount=Infinity", "number"),
        ("tax_amount=RM5", "number"),
        ("currency=RM", "ISO 4217"),
        ("currency=MYRR", "ISO 4217"),
    ],
)
def test_bad_corrections_are_usage_errors(pair, words):
    with pytest.raises(UsageError) as info:
        review.parse_assignments([pair])
    assert words in info.value.message
    assert info.value.exit_code == 2


def test_correction_is_audited_with_old_new_who_and_when(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.80", "document_date": "2026-03-15"})
    before = datetime.now(UTC) - timedelta(seconds=5)

    corrections = review.parse_assignments(["total_amount=60.30", "currency=myr"])
    result = review.approve(ledger_db, doc_id, "alice", corrections=corrections)

    assert result.status == "needs_review"
    doc = _doc(ledger_db, doc_id)
    assert doc.fields["total_amount"]["value"] == "60.30"
    assert doc.fields["total_amount"]["corrected_by"] == "alice"
    assert doc.fields["currency"]["value"] == "MYR"
    assert doc.fields["document_date"]["value"] == "2026-03-15"  # untouched

    corrections_logged = {
        t[2]: t for t in _trail(ledger_db, "document", doc_id) if t[1] == "correct"
    }
    assert set(corrections_logged) == {"total_amount", "currency"}
    actor, _, _, old, new, at = corrections_logged["total_amount"]
    assert (actor, old, new) == ("alice", "60.80", "60.30")
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    assert before <= at <= datetime.now(UTC) + timedelta(seconds=5)
    assert corrections_logged["currency"][3:5] == (None, "MYR")


def test_correction_resets_earlier_approvals(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.80"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    result = review.approve(
        ledger_db, doc_id, "bob", corrections=review.parse_assignments(["total_amount=60.30"])
    )

    assert result.status == "needs_review"
    assert result.approvals == ["bob"]
    assert "reset" in result.message
    resets = [t for t in _trail(ledger_db, "document", doc_id) if t[1] == "approvals_reset"]
    assert len(resets) == 1
    assert resets[0][0] == "bob" and resets[0][3] == "alice"
    assert _bill(ledger_db, "B1").status == "open"

    # Alice approved other values; she may now approve the corrected ones.
    final = review.approve(ledger_db, doc_id, "alice")
    assert final.status == "accepted"
    assert final.approvals == ["bob", "alice"]
    assert _bill(ledger_db, "B1").status == "paid"


def test_correction_to_the_same_value_does_not_reset(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    result = review.approve(
        ledger_db, doc_id, "bob", corrections=review.parse_assignments(["total_amount=60.3"])
    )

    assert result.status == "accepted"
    assert "correct" not in _actions(ledger_db, "document", doc_id)


def test_bill_correction_switches_bill_and_resets(ledger_db, make_document):
    doc_id = make_document({"total_amount": "100.00"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    result = review.approve(ledger_db, doc_id, "bob", bill_id="B2")
    assert result.approvals == ["bob"]
    bill_changes = [
        t for t in _trail(ledger_db, "document", doc_id) if t[1] == "correct" and t[2] == "bill_id"
    ]
    assert [(t[0], t[3], t[4]) for t in bill_changes] == [("bob", "B1", "B2")]

    review.approve(ledger_db, doc_id, "alice")
    assert _bill(ledger_db, "B2").status == "paid"
    assert _bill(ledger_db, "B1").status == "open"


def test_bill_of_another_customer_is_refused(ledger_db, make_document):
    doc_id = make_document({"total_amount": "500.00"}, customer_id="C1", bill_id="B1")

    with pytest.raises(ReviewError) as info:
        review.approve(ledger_db, doc_id, "alice", bill_id="B3")  # B3 belongs to C2

    assert "C2" in info.value.message
    doc = _doc(ledger_db, doc_id)
    assert (doc.customer_id, doc.bill_id) == ("C1", "B1")
    assert doc.approvals == []
    assert _actions(ledger_db, "document", doc_id) == []


def test_bill_with_its_customer_is_accepted(ledger_db, make_document):
    doc_id = make_document({"total_amount": "500.00"}, customer_id="C1", bill_id="B1")
    review.approve(ledger_db, doc_id, "alice", customer_id="C2", bill_id="B3")
    doc = _doc(ledger_db, doc_id)
    assert (doc.customer_id, doc.bill_id) == ("C2", "B3")


def test_paid_or_unknown_bill_is_refused(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    with pytest.raises(ReviewError, match="already paid"):
        review.approve(ledger_db, doc_id, "alice", bill_id="B4")
    with pytest.raises(NotFoundError):
        review.approve(ledger_db, doc_id, "alice", bill_id="B999")
    with pytest.raises(NotFoundError):
        review.approve(ledger_db, doc_id, "alice", customer_id="C999")
    assert _doc(ledger_db, doc_id).approvals == []


@pytest.mark.parametrize("status", ["auto_accepted", "accepted", "rejected", "failed"])
def test_only_documents_waiting_for_review_can_be_approved(ledger_db, make_document, status):
    doc_id = make_document({"total_amount": "60.30"}, status=status)

    with pytest.raises(ReviewError, match="not waiting for review"):
        review.approve(ledger_db, doc_id, "alice")
    with pytest.raises(ReviewError, match="not waiting for review"):
        review.reject(ledger_db, doc_id, "alice", "wrong")
    with ledger_db.session() as s:
        assert s.query(Approval).count() == 0


def test_unknown_document_and_blank_reviewer(ledger_db, make_document):
    with pytest.raises(NotFoundError):
        review.approve(ledger_db, 9999, "alice")
    doc_id = make_document()
    with pytest.raises(UsageError):
        review.approve(ledger_db, doc_id, "   ")


# ---- reject ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_requires_a_reason(ledger_db, make_document, reason):
    doc_id = make_document()
    with pytest.raises(UsageError, match="reason"):
        review.reject(ledger_db, doc_id, "alice", reason)
    assert _doc(ledger_db, doc_id).status == "needs_review"


def test_reject_records_reason_and_ends_review(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    result = review.reject(ledger_db, doc_id, "bob", "  not our customer  ")

    assert result.status == "rejected"
    doc = _doc(ledger_db, doc_id)
    assert doc.status == "rejected"
    assert "rejected by bob: not our customer" in doc.reasons
    rejects = [t for t in _trail(ledger_db, "document", doc_id) if t[1] == "reject"]
    assert [(t[0], t[2], t[3], t[4]) for t in rejects] == [
        ("bob", "status", "needs_review", "rejected"),
        ("bob", "reason", None, "not our customer"),
    ]
    assert _bill(ledger_db, "B1").status == "open"
    with pytest.raises(ReviewError, match="not waiting for review"):
        review.approve(ledger_db, doc_id, "carol")


# ---- list / show ----------------------------------------------------------------------------


def test_list_queue_shows_only_waiting_documents(ledger_db, make_document):
    a = make_document({"total_amount": "60.30"}, file_name="a.png")
    make_document({"total_amount": "1.00"}, status="auto_accepted")
    b = make_document({"total_amount": "40.00"}, file_name="b.png", bill_id="B2")
    review.approve(ledger_db, b, "alice")

    items = review.list_queue(ledger_db)

    assert [i.id for i in items] == [a, b]
    assert items[1].approvals == ["alice"]
    assert items[1].total_amount == "40.00"
    assert items[1].bill_id == "B2"


# ---- through the CLI ------------------------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.split())  # rich wraps long lines


def test_cli_review_list_json(ledger_db, make_document, tmp_path: Path, capsys):
    a = make_document({"total_amount": "60.30"}, file_name="a.png", reasons=["missing vendor_name"])
    b = make_document({"total_amount": "40.00"}, file_name="b.png", bill_id="B2")
    make_document(status="accepted")
    review.approve(ledger_db, b, "alice")
    capsys.readouterr()

    code = main(["--home", str(tmp_path), "review", "list", "--json"])

    assert code == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    rows = [json.loads(ln) for ln in lines]
    assert [r["id"] for r in rows] == [a, b]
    for r in rows:
        assert {"id", "file", "document_type", "reasons", "approvals"} <= set(r)
    assert rows[0]["file"] == "a.png"
    assert rows[0]["document_type"] == "receipt"
    assert rows[0]["reasons"] == ["missing vendor_name"]
    assert rows[0]["approvals"] == []
    assert rows[1]["approvals"] == ["alice"]


def test_cli_same_reviewer_is_refused(ledger_db, make_document, tmp_path: Path, capsys):
    doc_id = make_document({"total_amount": "60.30"})
    home = ["--home", str(tmp_path)]
    assert main([*home, "review", "approve", str(doc_id), "--reviewer", "Alice"]) == 0
    capsys.readouterr()

    code = main([*home, "review", "approve", str(doc_id), "--reviewer", "alice"])

    captured = capsys.readouterr()
    assert code != 0
    assert code == ReviewError.exit_code
    assert "different reviewer" in _flat(captured.err)
    assert [a.reviewer for a in _doc(ledger_db, doc_id).approvals] == ["Alice"]


def test_cli_approve_with_set_and_bad_set(ledger_db, make_document, tmp_path: Path, capsys):
    doc_id = make_document({"total_amount": "60.80"}, bill_id="B1")
    home = ["--home", str(tmp_path)]

    code = main(
        [*home, "review", "approve", str(doc_id), "--reviewer", "bob", "--set", "total_amount=abc"]
    )
    assert code == UsageError.exit_code
    assert "number" in _flat(capsys.readouterr().err)
    assert _doc(ledger_db, doc_id).approvals == []

    assert (
        main(
            [
                *home,
                "review",
                "approve",
                str(doc_id),
                "--reviewer",
                "alice",
                "--set",
                "total_amount=60.30",
            ]
        )
        == 0
    )
    assert main([*home, "review", "approve", str(doc_id), "--reviewer", "bob"]) == 0
    assert _doc(ledger_db, doc_id).status == "accepted"
    assert _bill(ledger_db, "B1").status == "paid"


def test_cli_reject_needs_reason(ledger_db, make_document, tmp_path: Path, capsys):
    doc_id = make_document()
    home = ["--home", str(tmp_path)]
    code = main([*home, "review", "reject", str(doc_id), "--reviewer", "bob", "--reason", " "])
    assert code == UsageError.exit_code
    assert (
        main(
            [
                *home,
                "review",
                "reject",
                str(doc_id),
                "--reviewer",
                "bob",
                "--reason",
                "duplicate scan",
            ]
        )
        == 0
    )
    assert _doc(ledger_db, doc_id).status == "rejected"


# ---- money and currency on the reviewer's path ---------------------------------------------


def test_overpayment_settles_the_bill_and_keeps_the_excess_on_record(ledger_db, make_document):
    doc_id = make_document({"total_amount": "75.00"})  # B1 is owed 60.30
    review.approve(ledger_db, doc_id, "alice")
    review.approve(ledger_db, doc_id, "bob")

    bill = _bill(ledger_db, "B1")
    assert bill.status == "paid" and bill.amount_remaining == Decimal("0.00")
    over = [t for t in _trail(ledger_db, "bill", "B1") if t[1] == "overpayment"]
    assert [(t[3], t[4]) for t in over] == [("60.30", "75.00")]


@pytest.mark.parametrize("paid", ["60.28", "60.32"])
def test_cash_rounding_settles_the_bill_in_full(ledger_db, make_document, paid):
    doc_id = make_document({"total_amount": paid})  # B1 is owed 60.30; the till rounded
    review.approve(ledger_db, doc_id, "alice")
    review.approve(ledger_db, doc_id, "bob")

    bill = _bill(ledger_db, "B1")
    assert bill.status == "paid" and bill.amount_remaining == Decimal("0.00")
    actions = [t[1] for t in _trail(ledger_db, "bill", "B1")]
    assert "rounding" in actions and "overpayment" not in actions


def test_reject_reason_is_in_the_audit_log(ledger_db, make_document):
    doc_id = make_document()
    review.reject(ledger_db, doc_id, "carol", "  not our supplier ")

    reasons = [t for t in _trail(ledger_db, "document", doc_id) if t[2] == "reason"]
    assert [(t[0], t[4]) for t in reasons] == [("carol", "not our supplier")]


def test_bill_in_another_currency_is_refused_unless_currency_corrected(ledger_db, make_document):
    # B3 belongs to C2 and is in SGD.
    doc_id = make_document(
        {"total_amount": "500.00", "currency": "MYR"}, customer_id="C2", bill_id=None
    )
    with pytest.raises(ReviewError, match="SGD"):
        review.approve(ledger_db, doc_id, "alice", bill_id="B3")
    assert _doc(ledger_db, doc_id).bill_id is None

    result = review.approve(
        ledger_db,
        doc_id,
        "alice",
        bill_id="B3",
        corrections=review.parse_assignments(["currency=sgd"]),
    )
    assert result.approvals == ["alice"]
    assert _doc(ledger_db, doc_id).bill_id == "B3"


def test_first_approval_with_corrections_does_not_claim_a_reset(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.80"}, bill_id="B1")

    result = review.approve(
        ledger_db, doc_id, "alice", corrections=review.parse_assignments(["total_amount=60.30"])
    )

    assert result.approvals == ["alice"]
    assert "reset" not in result.message
    assert "approvals_reset" not in _actions(ledger_db, "document", doc_id)
