"""The double-review rules (docintake.review) against a real temporary SQLite database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from db_rows import load_bill, load_document

from docintake import review
from docintake.cli import main
from docintake.exceptions import NotFoundError, ReviewError, UsageError
from storage.db import Database
from storage.models import Approval
from storage.repositories import apply_payment, audit_trail


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
    doc = load_document(ledger_db, doc_id)
    assert doc.status == "needs_review"
    assert doc.posted_at is None
    assert [a.reviewer for a in doc.approvals] == ["alice"]
    bill = load_bill(ledger_db, "B1")
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
    doc = load_document(ledger_db, doc_id)
    assert doc.status == "needs_review"
    assert [a.reviewer for a in doc.approvals] == ["alice"]
    assert load_bill(ledger_db, "B1").status == "open"


def test_second_reviewer_accepts_and_pays_the_bill(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    result = review.approve(ledger_db, doc_id, "bob")

    assert result.status == "accepted"
    assert result.approvals == ["alice", "bob"]
    assert "B1" in result.message
    doc = load_document(ledger_db, doc_id)
    assert doc.status == "accepted"
    assert doc.posted_at is not None
    bill = load_bill(ledger_db, "B1")
    assert bill.status == "paid"
    assert bill.amount_remaining == Decimal("0.00")
    # The queue no longer shows it.
    assert doc_id not in [i.id for i in review.list_queue(ledger_db)]


def test_smaller_total_leaves_the_bill_partial(ledger_db, make_document):
    doc_id = make_document({"total_amount": "40.00"}, bill_id="B2")  # B2 is 100.00
    review.approve(ledger_db, doc_id, "alice")
    review.approve(ledger_db, doc_id, "bob")

    bill = load_bill(ledger_db, "B2")
    assert bill.status == "partial"
    assert bill.amount_remaining == Decimal("60.00")

    # A second document for the rest settles it.
    rest = make_document({"total_amount": "60.00"}, bill_id="B2")
    review.approve(ledger_db, rest, "carol")
    review.approve(ledger_db, rest, "dave")
    bill = load_bill(ledger_db, "B2")
    assert bill.status == "paid"
    assert bill.amount_remaining == Decimal("0.00")


def test_document_without_bill_is_accepted_without_payment(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, customer_id=None, bill_id=None)
    review.approve(ledger_db, doc_id, "alice")
    result = review.approve(ledger_db, doc_id, "bob")

    assert result.status == "accepted"
    assert load_bill(ledger_db, "B1").status == "open"
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

    doc = load_document(ledger_db, doc_id)
    assert doc.status == "needs_review"
    assert [a.reviewer for a in doc.approvals] == ["alice"]  # bob's approval rolled back


def test_second_approval_needs_a_usable_total_to_settle(ledger_db, make_document):
    doc_id = make_document({"vendor_name": "Sri Murni Mart"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    with pytest.raises(ReviewError, match="total_amount"):
        review.approve(ledger_db, doc_id, "bob")

    assert load_document(ledger_db, doc_id).status == "needs_review"
    assert load_bill(ledger_db, "B1").amount_remaining == Decimal("60.30")


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
    doc = load_document(ledger_db, doc_id)
    # Blind second review: the document keeps the machine's values, alice's are in her version.
    assert doc.fields["total_amount"] == {"value": "60.80", "confidence": 0.5}
    assert "currency" not in doc.fields
    assert doc.approvals[0].version == {
        "fields": {"total_amount": "60.30", "currency": "MYR", "document_date": "2026-03-15"},
        "customer_id": "C1",
        "bill_id": "B1",
    }

    corrections_logged = {
        t[2]: t for t in _trail(ledger_db, "document", doc_id) if t[1] == "correct"
    }
    assert set(corrections_logged) == {"total_amount", "currency"}
    actor, _, _, old, new, at = corrections_logged["total_amount"]
    assert (actor, old, new) == ("alice", "60.80", "60.30")
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    assert before <= at <= datetime.now(UTC) + timedelta(seconds=5)
    assert corrections_logged["currency"][3:5] == (None, "MYR")


def test_correction_to_the_same_value_is_not_a_correction(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    result = review.approve(
        ledger_db, doc_id, "bob", corrections=review.parse_assignments(["total_amount=60.3"])
    )

    assert result.status == "accepted"
    assert "correct" not in _actions(ledger_db, "document", doc_id)


def test_bill_of_another_customer_is_refused(ledger_db, make_document):
    doc_id = make_document({"total_amount": "500.00"}, customer_id="C1", bill_id="B1")

    with pytest.raises(ReviewError) as info:
        review.approve(ledger_db, doc_id, "alice", bill_id="B3")  # B3 belongs to C2

    assert "C2" in info.value.message
    doc = load_document(ledger_db, doc_id)
    assert (doc.customer_id, doc.bill_id) == ("C1", "B1")
    assert doc.approvals == []
    assert _actions(ledger_db, "document", doc_id) == []


def test_bill_with_its_customer_is_accepted(ledger_db, make_document):
    doc_id = make_document(
        {"total_amount": "500.00", "currency": "SGD"}, customer_id="C1", bill_id="B1"
    )
    review.approve(ledger_db, doc_id, "alice", customer_id="C2", bill_id="B3")
    doc = load_document(ledger_db, doc_id)
    assert (doc.customer_id, doc.bill_id) == ("C1", "B1")  # the machine's, until agreed
    assert (doc.approvals[0].version["customer_id"], doc.approvals[0].version["bill_id"]) == (
        "C2",
        "B3",
    )

    result = review.approve(ledger_db, doc_id, "bob", customer_id="C2", bill_id="B3")

    assert result.status == "accepted"
    doc = load_document(ledger_db, doc_id)
    assert (doc.customer_id, doc.bill_id) == ("C2", "B3")
    assert load_bill(ledger_db, "B3").status == "paid"
    assert load_bill(ledger_db, "B1").status == "open"


def test_new_customer_without_a_bill_drops_the_machines_bill(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, customer_id="C1", bill_id="B1")
    review.approve(ledger_db, doc_id, "alice", customer_id="C2")

    version = load_document(ledger_db, doc_id).approvals[0].version
    assert (version["customer_id"], version["bill_id"]) == ("C2", None)
    changes = [
        (t[2], t[3], t[4]) for t in _trail(ledger_db, "document", doc_id) if t[1] == "correct"
    ]
    assert changes == [("customer_id", "C1", "C2"), ("bill_id", "B1", None)]


def test_paid_or_unknown_bill_is_refused(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    with pytest.raises(ReviewError, match="already paid"):
        review.approve(ledger_db, doc_id, "alice", bill_id="B4")
    with pytest.raises(NotFoundError):
        review.approve(ledger_db, doc_id, "alice", bill_id="B999")
    with pytest.raises(NotFoundError):
        review.approve(ledger_db, doc_id, "alice", customer_id="C999")
    assert load_document(ledger_db, doc_id).approvals == []


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
    assert load_document(ledger_db, doc_id).status == "needs_review"


def test_reject_records_reason_and_ends_review(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice")

    result = review.reject(ledger_db, doc_id, "bob", "  not our customer  ")

    assert result.status == "rejected"
    doc = load_document(ledger_db, doc_id)
    assert doc.status == "rejected"
    assert "rejected by bob: not our customer" in doc.reasons
    rejects = [t for t in _trail(ledger_db, "document", doc_id) if t[1] == "reject"]
    assert [(t[0], t[2], t[3], t[4]) for t in rejects] == [
        ("bob", "status", "needs_review", "rejected"),
        ("bob", "reason", None, "not our customer"),
    ]
    assert load_bill(ledger_db, "B1").status == "open"
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
    assert [i.stage for i in items] == ["first", "second"]
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
        assert {"id", "file", "document_type", "stage", "reasons", "approvals"} <= set(r)
    assert rows[0]["file"] == "a.png"
    assert rows[0]["document_type"] == "receipt"
    assert rows[0]["reasons"] == ["missing vendor_name"]
    assert rows[0]["approvals"] == []
    assert rows[1]["approvals"] == ["alice"]
    assert [r["stage"] for r in rows] == ["first", "second"]


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
    assert [a.reviewer for a in load_document(ledger_db, doc_id).approvals] == ["Alice"]


def test_cli_approve_with_set_and_bad_set(ledger_db, make_document, tmp_path: Path, capsys):
    doc_id = make_document({"total_amount": "60.80"}, bill_id="B1")
    home = ["--home", str(tmp_path)]

    code = main(
        [*home, "review", "approve", str(doc_id), "--reviewer", "bob", "--set", "total_amount=abc"]
    )
    assert code == UsageError.exit_code
    assert "number" in _flat(capsys.readouterr().err)
    assert load_document(ledger_db, doc_id).approvals == []

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
    # Bob sees the machine's 60.80 and corrects it the same way, on his own.
    assert (
        main(
            [
                *home,
                "review",
                "approve",
                str(doc_id),
                "--reviewer",
                "bob",
                "--set",
                "total_amount=60.3",
            ]
        )
        == 0
    )
    assert load_document(ledger_db, doc_id).status == "accepted"
    assert load_bill(ledger_db, "B1").status == "paid"


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
    assert load_document(ledger_db, doc_id).status == "rejected"


# ---- money and currency on the reviewer's path ---------------------------------------------


def test_overpayment_settles_the_bill_and_keeps_the_excess_on_record(ledger_db, make_document):
    doc_id = make_document({"total_amount": "75.00"})  # B1 is owed 60.30
    review.approve(ledger_db, doc_id, "alice")
    review.approve(ledger_db, doc_id, "bob")

    bill = load_bill(ledger_db, "B1")
    assert bill.status == "paid" and bill.amount_remaining == Decimal("0.00")
    over = [t for t in _trail(ledger_db, "bill", "B1") if t[1] == "overpayment"]
    assert [(t[3], t[4]) for t in over] == [("60.30", "75.00")]


@pytest.mark.parametrize("paid", ["60.28", "60.32"])
def test_cash_rounding_settles_the_bill_in_full(ledger_db, make_document, paid):
    doc_id = make_document({"total_amount": paid})  # B1 is owed 60.30; the till rounded
    review.approve(ledger_db, doc_id, "alice")
    review.approve(ledger_db, doc_id, "bob")

    bill = load_bill(ledger_db, "B1")
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
    assert load_document(ledger_db, doc_id).bill_id is None

    result = review.approve(
        ledger_db,
        doc_id,
        "alice",
        bill_id="B3",
        corrections=review.parse_assignments(["currency=sgd"]),
    )
    assert result.approvals == ["alice"]
    doc = load_document(ledger_db, doc_id)
    assert doc.bill_id is None  # the machine's, until a second reviewer agrees
    assert doc.approvals[0].version["bill_id"] == "B3"
    assert doc.approvals[0].version["fields"]["currency"] == "SGD"


# ---- blind second review, escalation, resolution --------------------------------------------


def _set(*pairs: str) -> dict[str, str | list[str]]:
    return review.parse_assignments(list(pairs))


def _escalated(make_document, ledger_db) -> int:
    """B2 (100.00): alice reads a 40.00 payment, bob a 60.00 one."""
    doc_id = make_document({"total_amount": "50.00", "vendor_name": "Sri Murni Mart"}, bill_id="B2")
    review.approve(ledger_db, doc_id, "alice", corrections=_set("total_amount=40"))
    result = review.approve(ledger_db, doc_id, "bob", corrections=_set("total_amount=60"))
    assert result.status == "escalated"
    return doc_id


def test_agreeing_versions_are_applied_and_posted(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.80", "vendor_name": "SRI MURNI MART"})
    review.approve(ledger_db, doc_id, "alice", corrections=_set("total_amount=60.30"))

    # Bob corrects the same total on his own, and only respaces the name (not a disagreement).
    result = review.approve(
        ledger_db,
        doc_id,
        "bob",
        corrections=_set("total_amount=60.3", "vendor_name=Sri  Murni Mart"),
    )

    assert result.status == "accepted"
    assert result.differences == []
    doc = load_document(ledger_db, doc_id)
    total = doc.fields["total_amount"]
    assert (total["value"], total["confidence"], total["corrected_by"]) == (
        "60.30",
        1.0,
        "alice, bob",
    )
    assert total["machine"] == {"value": "60.80", "confidence": 0.5}
    assert doc.fields["vendor_name"]["corrected_by"] == "bob"
    assert load_bill(ledger_db, "B1").status == "paid"
    applied = [
        (t[0], t[2], t[3], t[4]) for t in _trail(ledger_db, "document", doc_id) if t[1] == "apply"
    ]
    assert ("bob", "total_amount", "60.80", "60.30") in applied
    # What the machine read is still shown.
    shown = review.show(ledger_db, doc_id)
    assert shown["machine"]["fields"]["total_amount"]["value"] == "60.80"
    assert shown["fields"]["total_amount"]["value"] == "60.30"


def test_agreeing_bill_change_is_applied(ledger_db, make_document):
    doc_id = make_document({"total_amount": "100.00"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice", bill_id="B2")
    review.approve(ledger_db, doc_id, "bob", bill_id="B2")

    assert load_document(ledger_db, doc_id).bill_id == "B2"
    assert load_bill(ledger_db, "B2").status == "paid"
    assert load_bill(ledger_db, "B1").status == "open"
    shown = review.show(ledger_db, doc_id, for_role="admin")
    assert (shown["machine"]["customer_id"], shown["machine"]["bill_id"]) == ("C1", "B1")


def test_a_disagreement_on_a_field_escalates(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.80"}, bill_id="B1")
    review.approve(ledger_db, doc_id, "alice", corrections=_set("total_amount=60.30"))

    # Bob approves the machine's 60.80: the two versions differ.
    result = review.approve(ledger_db, doc_id, "bob")

    assert result.status == "escalated"
    assert result.differences == ["total_amount"]
    assert "total_amount" in result.message and "admin" in result.message
    doc = load_document(ledger_db, doc_id)
    assert doc.status == "escalated" and doc.posted_at is None
    assert doc.fields["total_amount"]["value"] == "60.80"  # nothing applied
    assert load_bill(ledger_db, "B1").status == "open"
    escalations = [
        (t[0], t[2], t[3], t[4])
        for t in _trail(ledger_db, "document", doc_id)
        if t[1] == "escalate"
    ]
    assert escalations == [
        ("bob", "status", "needs_review", "escalated"),
        ("bob", "differences", None, "total_amount"),
    ]
    with pytest.raises(ReviewError, match="not waiting for review"):
        review.approve(ledger_db, doc_id, "carol")


def test_a_disagreement_on_the_match_escalates(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.30"}, bill_id=None)
    review.approve(ledger_db, doc_id, "alice", bill_id="B1")
    result = review.approve(ledger_db, doc_id, "bob", bill_id="B2")

    assert result.status == "escalated"
    assert result.differences == ["bill_id"]
    assert (
        load_bill(ledger_db, "B1").status == "open" and load_bill(ledger_db, "B2").status == "open"
    )


def test_the_second_reviewer_does_not_see_the_first_reviewers_edits(ledger_db, make_document):
    doc_id = make_document({"total_amount": "60.80", "vendor_name": "SRI MURNI"}, bill_id="B1")
    review.approve(
        ledger_db,
        doc_id,
        "alice",
        corrections=_set("total_amount=98.76", "vendor_name=Secret Vendor Name"),
        bill_id="B2",
    )

    # Every role, admins included (an admin may be the second reviewer), sees the machine.
    for role in ("reviewer", "admin"):
        view = review.show(ledger_db, doc_id, for_role=role, viewer="bob")
        assert view["versions"] == [] and view["comparison"] == []
        assert view["machine"]["fields"]["total_amount"]["value"] == "60.80"
        assert view["machine"]["bill_id"] == "B1"
        assert view["fields"]["total_amount"]["value"] == "60.80"
        assert view["match"]["bill_id"] == "B1"
        assert view["stage"] == "second"
        assert view["approvals"] == ["alice"]
        text = json.dumps(view)
        assert "98.76" not in text and "Secret Vendor Name" not in text and "B2" not in text
        assert "correct" not in [a["action"] for a in view["audit"]]

    # Alice sees her own version.
    own = review.show(ledger_db, doc_id, viewer="ALICE")
    assert [v["reviewer"] for v in own["versions"]] == ["alice"]
    assert own["versions"][0]["differences"] == ["total_amount", "vendor_name", "bill_id"]
    assert "correct" in [a["action"] for a in own["audit"]]


def test_the_admin_sees_both_versions_of_an_escalated_document(ledger_db, make_document):
    doc_id = _escalated(make_document, ledger_db)

    view = review.show(ledger_db, doc_id, for_role="admin")

    assert view["status"] == "escalated" and view["stage"] == "escalated"
    assert [(v["index"], v["reviewer"]) for v in view["versions"]] == [(1, "alice"), (2, "bob")]
    assert view["versions"][0]["version"]["fields"]["total_amount"] == "40.00"
    assert view["versions"][1]["differences"] == ["total_amount"]
    rows = {r["field"]: r for r in view["comparison"]}
    assert rows["total_amount"] == {
        "field": "total_amount",
        "machine": "50.00",
        "versions": ["40.00", "60.00"],
        "differs": True,
    }
    assert not rows["vendor_name"]["differs"] and not rows["bill_id"]["differs"]
    # A reviewer's view of it stays without versions.
    assert review.show(ledger_db, doc_id)["versions"] == []


@pytest.mark.parametrize(
    ("choose", "reviewer", "remaining"), [(1, "alice", "60.00"), (2, "bob", "40.00")]
)
def test_the_admin_resolves_by_choosing_a_version(
    ledger_db, make_document, choose, reviewer, remaining
):
    doc_id = _escalated(make_document, ledger_db)

    result = review.resolve(ledger_db, doc_id, "carol", choose=choose)

    assert result.status == "accepted"
    assert f"version {choose} ({reviewer})" in result.message
    doc = load_document(ledger_db, doc_id)
    assert doc.status == "accepted" and doc.posted_at is not None
    assert doc.fields["total_amount"]["corrected_by"] == reviewer
    bill = load_bill(ledger_db, "B2")
    assert (bill.status, bill.amount_remaining) == ("partial", Decimal(remaining))
    trail = _trail(ledger_db, "document", doc_id)
    assert [(t[0], t[2], t[4]) for t in trail if t[1] == "resolve"] == [
        ("carol", "version", f"version {choose} ({reviewer})")
    ]
    assert [(t[0], t[3], t[4]) for t in trail if t[1] == "accept"] == [
        ("carol", "escalated", "accepted")
    ]
    assert all(t[0] == "carol" for t in _trail(ledger_db, "bill", "B2") if t[1] == "payment")


def test_the_admin_resolves_with_a_version_of_their_own(ledger_db, make_document):
    doc_id = _escalated(make_document, ledger_db)

    result = review.resolve(ledger_db, doc_id, "carol", corrections=_set("total_amount=100"))

    assert result.status == "accepted"
    doc = load_document(ledger_db, doc_id)
    assert doc.fields["total_amount"]["value"] == "100.00"
    assert doc.fields["total_amount"]["corrected_by"] == "carol"
    assert load_bill(ledger_db, "B2").status == "paid"
    corrections = [
        (t[0], t[3], t[4])
        for t in _trail(ledger_db, "document", doc_id)
        if t[1] == "correct" and t[0] == "carol"
    ]
    assert corrections == [("carol", "50.00", "100.00")]  # on top of the machine's values


def test_resolve_refusals(ledger_db, make_document):
    waiting = make_document({"total_amount": "60.30"})
    with pytest.raises(ReviewError, match="not escalated"):
        review.resolve(ledger_db, waiting, "carol", choose=1)
    doc_id = _escalated(make_document, ledger_db)
    with pytest.raises(UsageError, match="not both"):
        review.resolve(ledger_db, doc_id, "carol")
    with pytest.raises(UsageError, match="not both"):
        review.resolve(ledger_db, doc_id, "carol", choose=1, corrections=_set("total_amount=1"))
    with pytest.raises(UsageError, match="1 to 2"):
        review.resolve(ledger_db, doc_id, "carol", choose=3)
    with pytest.raises(ReviewError, match="another admin"):
        review.resolve(ledger_db, doc_id, "Alice", choose=1)
    with pytest.raises(UsageError):
        review.resolve(ledger_db, doc_id, "  ", choose=1)
    with pytest.raises(ReviewError, match="belongs to customer C2"):
        review.resolve(ledger_db, doc_id, "carol", bill_id="B3")
    assert load_document(ledger_db, doc_id).status == "escalated"
    assert load_bill(ledger_db, "B2").status == "open"


def test_an_escalated_document_can_be_rejected(ledger_db, make_document):
    doc_id = _escalated(make_document, ledger_db)

    result = review.reject(ledger_db, doc_id, "carol", "unreadable scan")

    assert result.status == "rejected"
    rejects = [
        (t[0], t[3], t[4]) for t in _trail(ledger_db, "document", doc_id) if t[1] == "reject"
    ]
    assert rejects[0] == ("carol", "escalated", "rejected")
    assert load_bill(ledger_db, "B2").status == "open"
    with pytest.raises(ReviewError, match="not escalated"):
        review.resolve(ledger_db, doc_id, "carol", choose=1)


def test_list_queue_by_stage(ledger_db, make_document):
    first = make_document({"total_amount": "60.30"})
    second = make_document({"total_amount": "60.30"})
    review.approve(ledger_db, second, "alice")
    escalated = _escalated(make_document, ledger_db)
    make_document(status="accepted")

    assert [(i.id, i.stage) for i in review.list_queue(ledger_db)] == [
        (first, "first"),
        (second, "second"),
        (escalated, "escalated"),
    ]
    for stage, doc_id in (("first", first), ("second", second), ("escalated", escalated)):
        assert [i.id for i in review.list_queue(ledger_db, stage=stage)] == [doc_id]
    with pytest.raises(UsageError, match="Stages"):
        review.list_queue(ledger_db, stage="third")


def test_an_approval_from_before_blind_review_approved_the_document_as_it_was(
    ledger_db, make_document
):
    doc_id = make_document({"total_amount": "60.30"}, bill_id="B1")
    with ledger_db.session() as s:
        s.add(Approval(document_id=doc_id, reviewer="alice", version=None))

    result = review.approve(ledger_db, doc_id, "bob")

    assert result.status == "accepted"
    assert load_bill(ledger_db, "B1").status == "paid"


def test_cli_escalate_show_and_resolve(ledger_db, make_document, tmp_path: Path, capsys):
    doc_id = make_document({"total_amount": "50.00"}, bill_id="B2")
    home = ["--home", str(tmp_path)]
    approve = [*home, "review", "approve", str(doc_id)]
    assert main([*approve, "--reviewer", "alice", "--set", "total_amount=43.21"]) == 0
    capsys.readouterr()

    # Blind: bob's look at the document does not show alice's 43.21.
    assert main([*home, "review", "show", str(doc_id)]) == 0
    shown = _flat(capsys.readouterr().out)
    assert "50.00" in shown and "43.21" not in shown

    assert main([*approve, "--reviewer", "bob", "--set", "total_amount=60"]) == 0
    assert "disagree on total_amount" in _flat(capsys.readouterr().out)

    assert main([*home, "review", "list", "--stage", "escalated", "--json"]) == 0
    rows = [json.loads(ln) for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    assert [(r["id"], r["stage"]) for r in rows] == [(doc_id, "escalated")]
    assert main([*home, "review", "list", "--stage", "first", "--json"]) == 0
    assert capsys.readouterr().out.strip() == ""

    assert main([*home, "review", "show", str(doc_id)]) == 0
    shown = _flat(capsys.readouterr().out)
    assert "1: alice" in shown and "2: bob" in shown and "43.21" in shown
    assert "differ on total_amount" in shown
    assert main([*home, "review", "show", str(doc_id), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["versions"]) == 2

    resolve = [*home, "review", "resolve", str(doc_id), "--admin", "carol"]
    assert main([*resolve, "--choose", "3"]) == 2
    assert main(resolve) == UsageError.exit_code
    capsys.readouterr()
    assert main([*resolve, "--choose", "2"]) == 0
    assert "accepted" in _flat(capsys.readouterr().out)
    bill = load_bill(ledger_db, "B2")
    assert (bill.status, bill.amount_remaining) == ("partial", Decimal("40.00"))


def test_cli_resolve_with_own_version(ledger_db, make_document, tmp_path: Path):
    doc_id = _escalated(make_document, ledger_db)
    code = main(
        [
            "--home",
            str(tmp_path),
            "review",
            "resolve",
            str(doc_id),
            "--admin",
            "carol",
            "--set",
            "total_amount=100",
        ]
    )
    assert code == 0
    assert load_bill(ledger_db, "B2").status == "paid"
