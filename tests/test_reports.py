"""Bill lifecycle reports and the ledger export (docintake.reports and their CLI commands)."""

from __future__ import annotations

import csv
import hashlib
import itertools
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from docintake import reports, review
from docintake.cli import cli, main
from docintake.domain import Status
from docintake.exceptions import UsageError
from storage.db import Database
from storage.ledger_import import BILL_COLUMNS, CUSTOMER_COLUMNS, import_ledger
from storage.models import Bill, Customer, Document
from storage.repositories import apply_payment, audit, change_status

AS_OF = date(2026, 6, 30)
_ids = itertools.count(1)


def _customer(s: Session, cid: str, name: str, **extra: Any) -> None:
    s.add(Customer(customer_id=cid, name=name, **extra))


def _bill(
    s: Session,
    bill_id: str,
    cid: str,
    amount: str,
    *,
    due: date | None,
    currency: str = "MYR",
    status: str = "open",
) -> None:
    s.add(
        Bill(
            bill_id=bill_id,
            customer_id=cid,
            reference=f"REF-{bill_id}",
            issue_date=date(2026, 1, 15),
            due_date=due,
            currency=currency,
            amount=Decimal(amount),
            amount_remaining=Decimal("0.00") if status == "paid" else Decimal(amount),
            status=status,
        )
    )


def _document(
    s: Session,
    status: str,
    customer_id: str | None,
    bill_id: str | None,
    total: str | None = None,
    *,
    posted: datetime | None = None,
) -> int:
    n = next(_ids)
    fields = {"document_date": {"value": "2026-04-10", "confidence": 0.9}}
    if total is not None:
        fields["total_amount"] = {"value": total, "confidence": 0.9}
    doc = Document(
        sha256=hashlib.sha256(f"report-doc-{n}".encode()).hexdigest(),
        file_name=f"doc-{n}.png",
        source_path=f"/nowhere/doc-{n}.png",
        status=status,
        fields=fields,
        customer_id=customer_id,
        bill_id=bill_id,
        posted_at=posted,
    )
    s.add(doc)
    s.flush()
    return doc.id


@pytest.fixture
def populated(db: Database) -> dict[str, int]:
    """A ledger with known numbers; returns the document ids by name.

    Ages on AS_OF (2026-06-30): B1 30 days, B2 31 days, B3 due that day, B4 121 days,
    B7 1 day; B8 has no due date; B5 and B6 are paid.
    """
    posted = datetime(2026, 4, 12, 9, 30, tzinfo=UTC)
    with db.session() as s:
        _customer(s, "C1", "Alpha Trading", tax_id="00123", address="1 Main St")
        _customer(s, "C2", "Beta Supplies", email="ap@beta.example")
        _customer(s, "C3", "Gamma Idle")
        s.flush()
        _bill(s, "B1", "C1", "100.00", due=date(2026, 5, 31))
        _bill(s, "B2", "C1", "200.00", due=date(2026, 5, 30))
        _bill(s, "B3", "C1", "300.00", due=date(2026, 6, 30))
        _bill(s, "B4", "C2", "1000.00", due=date(2026, 3, 1), currency="SGD")
        _bill(s, "B5", "C2", "500.00", due=date(2026, 4, 1), currency="SGD")
        _bill(s, "B6", "C1", "80.00", due=date(2026, 2, 1))
        _bill(s, "B7", "C2", "400.00", due=date(2026, 6, 29), currency="SGD")
        _bill(s, "B8", "C1", "60.00", due=None)
        s.flush()
        ids = {
            "d1": _document(s, "accepted", "C2", "B5", "250.00", posted=posted),
            "d2": _document(s, "auto_accepted", "C2", "B5", "250.00", posted=posted),
            "d3": _document(s, "accepted", "C1", "B6", "100.00", posted=posted),
            # Accepted, but its payment never reached the bill: B7 stays open.
            "d4": _document(s, "accepted", "C2", "B7", "400.00", posted=posted),
            "d5": _document(s, "accepted", "C1", "B2", "150.00", posted=posted),
            "d6": _document(s, "needs_review", "C1", None, "12.00"),
            "d7": _document(s, "rejected", "C1", "B1", "99.00"),
            "d8": _document(s, "failed", None, None),
        }
        apply_payment(s, "B5", Decimal("250.00"), actor="test")
        apply_payment(s, "B5", Decimal("250.00"), actor="test")
        apply_payment(s, "B6", Decimal("100.00"), actor="test")  # 20.00 more than owed
        apply_payment(s, "B2", Decimal("150.00"), actor="test")
    return ids


def _rows(frame: Any, key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in frame.to_dict("records")}


# ---- reconciliation ---------------------------------------------------------------------------


def test_reconciliation_lists_paying_documents_and_flags(db, populated):
    rec = _rows(reports.build_report(db, AS_OF).reconciliation, "bill_id")

    assert set(rec) == {f"B{i}" for i in range(1, 9)}
    b5 = rec["B5"]
    assert (b5["status"], b5["amount_remaining"], b5["documents"]) == ("paid", Decimal("0.00"), 2)
    assert b5["document_ids"] == f"{populated['d1']}; {populated['d2']}"
    assert b5["document_amounts"] == "250.00; 250.00"
    assert b5["posted_at"] == "2026-04-12T09:30:00; 2026-04-12T09:30:00"
    assert b5["paid_by_documents"] == Decimal("500.00")
    assert b5["difference"] == Decimal("0.00")
    assert b5["multiple_documents"] and not b5["overpaid"] and not b5["accepted_but_open"]
    assert b5["flags"] == "paid by 2 documents"

    b6 = rec["B6"]
    assert b6["overpaid"] and b6["overpaid_by"] == Decimal("20.00")
    assert b6["difference"] == Decimal("-20.00")  # documents paid 20.00 more than billed
    assert b6["settled"] == Decimal("80.00")
    assert not b6["multiple_documents"]
    assert b6["flags"] == "overpaid by 20.00"

    b7 = rec["B7"]
    assert b7["accepted_but_open"] and b7["status"] == "open"
    assert b7["flags"] == "accepted document(s) but the bill is still open"

    b2 = rec["B2"]
    assert (b2["status"], b2["amount_remaining"], b2["settled"]) == (
        "partial",
        Decimal("50.00"),
        Decimal("150.00"),
    )
    assert b2["difference"] == Decimal("50.00")
    assert b2["flags"] == ""
    # A rejected document did not pay B1.
    assert rec["B1"]["documents"] == 0 and rec["B1"]["document_ids"] == ""
    assert rec["B1"]["customer_name"] == "Alpha Trading"


# ---- overdue ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, None),
        (0, None),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
        (400, "days_over_90"),
    ],
)
def test_age_bucket_boundaries(days, bucket):
    assert reports.age_bucket(days) == bucket


def test_overdue_bills_by_age_and_customer(db, populated):
    report = reports.build_report(db, AS_OF)

    bills = _rows(report.overdue_bills, "bill_id")
    # B3 is due on the as-of date (not late), B8 has no due date, B5 and B6 are paid.
    assert set(bills) == {"B1", "B2", "B4", "B7"}
    assert (bills["B1"]["days_overdue"], bills["B1"]["bucket"]) == (30, "days_1_30")
    assert (bills["B2"]["days_overdue"], bills["B2"]["bucket"]) == (31, "days_31_60")
    assert (bills["B4"]["days_overdue"], bills["B4"]["bucket"]) == (121, "days_over_90")
    assert bills["B2"]["amount_remaining"] == Decimal("50.00")  # partial: what is left

    overdue = report.overdue.to_dict("records")
    assert [(r["customer_id"], r["currency"]) for r in overdue] == [("C2", "SGD"), ("C1", "MYR")]
    c2, c1 = overdue
    assert c2["bills"] == 2
    assert (c2["days_1_30"], c2["days_31_60"], c2["days_61_90"], c2["days_over_90"]) == (
        Decimal("400.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("1000.00"),
    )
    assert c2["total"] == Decimal("1400.00")
    assert (c1["days_1_30"], c1["days_31_60"], c1["total"]) == (
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("150.00"),
    )


def test_one_day_later_moves_bills_to_the_next_bucket(db, populated):
    bills = _rows(reports.build_report(db, date(2026, 7, 1)).overdue_bills, "bill_id")

    assert (bills["B1"]["days_overdue"], bills["B1"]["bucket"]) == (31, "days_31_60")
    assert (bills["B3"]["days_overdue"], bills["B3"]["bucket"]) == (1, "days_1_30")


# ---- customer history -------------------------------------------------------------------------


def test_customer_history_counts_and_balances(db, populated):
    history = _rows(reports.build_report(db, AS_OF).customer_history, "customer_id")

    c1 = history["C1"]
    assert c1["documents"] == 4
    assert (c1["documents_accepted"], c1["documents_needs_review"]) == (2, 1)
    assert (c1["documents_rejected"], c1["documents_auto_accepted"]) == (1, 0)
    assert c1["payments"] == 2
    assert c1["paid_by_documents"] == Decimal("250.00")
    assert c1["settled"] == Decimal("230.00")  # B6 80.00 (not the excess) + B2 150.00
    assert (c1["bills_open"], c1["bills_partial"], c1["bills_paid"]) == (3, 1, 1)
    assert c1["total_billed"] == Decimal("740.00")
    assert c1["balance"] == Decimal("510.00")  # B1 100 + B2 50 + B3 300 + B8 60
    assert c1["currencies"] == "MYR"

    c2 = history["C2"]
    assert (c2["documents"], c2["documents_auto_accepted"], c2["payments"]) == (3, 1, 3)
    assert c2["paid_by_documents"] == Decimal("900.00")
    assert c2["settled"] == Decimal("500.00")
    assert (c2["bills_open"], c2["bills_partial"], c2["bills_paid"]) == (2, 0, 1)
    assert c2["balance"] == Decimal("1400.00")

    c3 = history["C3"]
    assert (c3["documents"], c3["bills_open"], c3["balance"]) == (0, 0, Decimal("0.00"))


# ---- review throughput ------------------------------------------------------------------------


def _status(s: Session, doc: str, old: str, new: str, at: datetime, action: str) -> None:
    audit(
        s,
        actor="x",
        entity="document",
        entity_id=doc,
        action=action,
        field="status",
        old=old,
        new=new,
        at=at,
    )


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=UTC)


def test_review_throughput_per_day(db, tmp_path):
    with db.session() as s:
        for doc, hour in (("1", 9), ("2", 10), ("3", 23)):
            _status(s, doc, "processing", "needs_review", _at(1, hour), "needs_review")
        _status(s, "9", "processing", "auto_accepted", _at(1, 9), "auto_accepted")  # no review
        audit(s, actor="alice", entity="document", entity_id="1", action="approve", at=_at(1, 12))
        audit(s, actor="bob", entity="document", entity_id="1", action="approve", at=_at(1, 15))
        _status(s, "1", "needs_review", "accepted", _at(1, 15), "accept")
        _status(s, "2", "needs_review", "rejected", _at(2, 8), "reject")
        _status(s, "3", "needs_review", "accepted", _at(2, 11), "accept")
        _status(s, "4", "processing", "needs_review", _at(2, 12), "needs_review")
        # After the as-of date: does not count, so document 4 is still waiting.
        _status(s, "4", "needs_review", "accepted", _at(5, 9), "accept")

    frame = reports.build_report(db, date(2026, 6, 3)).review_throughput
    rows = frame.to_dict("records")

    assert [r["date"] for r in rows] == [date(2026, 6, d) for d in (1, 2, 3)]
    first, second, third = rows
    assert (first["entered_review"], first["approvals"], first["accepted"]) == (3, 2, 1)
    assert (first["rejected"], first["waiting_at_day_end"]) == (0, 2)
    assert first["median_hours_to_decision"] == 6.0
    assert (second["entered_review"], second["accepted"], second["rejected"]) == (1, 1, 1)
    assert second["waiting_at_day_end"] == 1
    assert second["median_hours_to_decision"] == 17.0  # median of 22 h and 12 h
    assert (third["entered_review"], third["accepted"], third["waiting_at_day_end"]) == (0, 0, 1)
    assert math.isnan(third["median_hours_to_decision"])  # no decision
    reports.write_report(db, tmp_path / "out", as_of=date(2026, 6, 3), fmt="csv")
    written = _csv(tmp_path / "out" / "review_throughput.csv")
    assert [r["median_hours_to_decision"] for r in written] == ["6.0", "17.0", ""]
    assert [r["waiting_at_day_end"] for r in written] == ["2", "1", "1"]


def test_review_throughput_reads_what_the_pipeline_and_review_write(ledger_db, make_document):
    # The pipeline's change_status and the review service's own audit entries, not hand-made.
    ids = [make_document(status="processing", bill_id=None) for _ in range(3)]
    with ledger_db.session() as s:
        for doc_id in ids:
            doc = s.get(Document, doc_id)
            assert doc is not None
            change_status(s, doc, Status.NEEDS_REVIEW, actor="pipeline", action="needs_review")
    review.approve(ledger_db, ids[0], "alice")
    review.approve(ledger_db, ids[0], "bob")
    review.reject(ledger_db, ids[1], "carol", "not ours")

    today = datetime.now(UTC).date()
    rows = reports.build_report(ledger_db, today).review_throughput.to_dict("records")

    assert len(rows) == 1 and rows[0]["date"] == today
    row = rows[0]
    assert (row["entered_review"], row["approvals"], row["accepted"], row["rejected"]) == (
        3,
        2,
        1,
        1,
    )
    assert row["waiting_at_day_end"] == 1
    assert 0 <= row["median_hours_to_decision"] < 0.1


def test_review_throughput_counts_an_escalated_document_as_waiting_until_resolved(
    ledger_db, make_document
):
    ids = [make_document(status="processing", bill_id=None) for _ in range(2)]
    with ledger_db.session() as s:
        for doc_id in ids:
            doc = s.get(Document, doc_id)
            assert doc is not None
            change_status(s, doc, Status.NEEDS_REVIEW, actor="pipeline", action="needs_review")
    for doc_id in ids:  # the reviewers disagree on both
        review.approve(ledger_db, doc_id, "alice")
        review.approve(
            ledger_db, doc_id, "bob", corrections=review.parse_assignments(["total_amount=1"])
        )
    review.resolve(ledger_db, ids[0], "carol", choose=1)

    today = datetime.now(UTC).date()
    (row,) = reports.build_report(ledger_db, today).review_throughput.to_dict("records")

    assert (row["entered_review"], row["approvals"], row["accepted"], row["rejected"]) == (
        2,
        4,
        1,
        0,
    )
    assert row["waiting_at_day_end"] == 1  # escalated, waiting for an admin
    assert 0 <= row["median_hours_to_decision"] < 0.1


# ---- files and CLI ----------------------------------------------------------------------------


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _png(path: Path) -> bool:
    return path.stat().st_size > 1000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_report_both_formats(db, populated, tmp_path):
    out = tmp_path / "out"

    written = reports.write_report(db, out, as_of=AS_OF, fmt="both")

    names = {p.name for p in written.paths}
    assert names == {f"{t}.csv" for t in reports.TABLES} | {
        "report.xlsx",
        "overdue.png",
        "review_throughput.png",
    }
    assert written.rows["reconciliation"] == 8 and written.rows["overdue"] == 2
    assert written.findings == {
        "overdue bills": 4,
        "bills paid by several documents": 1,
        "overpaid bills": 1,
        "open bills with accepted documents": 1,
    }
    book = load_workbook(out / "report.xlsx")
    assert book.sheetnames == list(reports.TABLES)
    sheet = book["overdue"]
    header = [c.value for c in sheet[1]]
    assert header == list(reports.OVERDUE_COLUMNS)
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (first["customer_id"], first["total"]) == ("C2", 1400)
    assert _png(out / "overdue.png") and _png(out / "review_throughput.png")
    rec = {r["bill_id"]: r for r in _csv(out / "reconciliation.csv")}
    assert rec["B6"]["overpaid_by"] == "20.00" and rec["B6"]["overpaid"] == "True"


def test_csv_only_and_xlsx_only(db, populated, tmp_path):
    csv_only = reports.write_report(db, tmp_path / "c", as_of=AS_OF, fmt="csv")
    xlsx_only = reports.write_report(db, tmp_path / "x", as_of=AS_OF, fmt="xlsx")

    assert "report.xlsx" not in {p.name for p in csv_only.paths}
    assert {p.name for p in xlsx_only.paths} == {
        "report.xlsx",
        "overdue.png",
        "review_throughput.png",
    }
    assert not (tmp_path / "x" / "overdue.csv").exists()


def test_bad_format_and_bad_as_of_are_usage_errors(db, tmp_path):
    with pytest.raises(UsageError):
        reports.write_report(db, tmp_path, as_of=AS_OF, fmt="pdf")
    with pytest.raises(UsageError) as info:
        reports.parse_as_of("30/06/2026")
    assert "YYYY-MM-DD" in info.value.message
    assert reports.parse_as_of("2026-06-30") == AS_OF


def test_cli_report(db, populated, tmp_path):
    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path), "report", "--as-of", "2026-06-30", "--format", "csv"]
    )

    assert result.exit_code == 0, result.output
    folder = tmp_path / "reports" / "2026-06-30"  # the default --out
    assert str(folder / "overdue.csv") in result.output.replace("\n", "")
    assert "overpaid bills: 1" in result.output
    overdue = _csv(folder / "overdue.csv")
    assert [(r["customer_id"], r["days_over_90"], r["total"]) for r in overdue] == [
        ("C2", "1000.00", "1400.00"),
        ("C1", "0.00", "150.00"),
    ]
    history = {r["customer_id"]: r for r in _csv(folder / "customer_history.csv")}
    assert history["C1"]["balance"] == "510.00"
    assert not (folder / "report.xlsx").exists()
    assert _png(folder / "overdue.png")


def test_cli_report_on_empty_database_writes_headers_only(db, tmp_path):
    out = tmp_path / "empty-report"

    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "report", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "no bills and no documents" in result.output
    columns = {
        "reconciliation": reports.RECONCILIATION_COLUMNS,
        "overdue": reports.OVERDUE_COLUMNS,
        "customer_history": reports.CUSTOMER_HISTORY_COLUMNS,
        "review_throughput": reports.THROUGHPUT_COLUMNS,
    }
    for name, header in columns.items():
        lines = (out / f"{name}.csv").read_text().splitlines()
        assert lines == [",".join(header)]
    book = load_workbook(out / "report.xlsx")
    assert book.sheetnames == list(reports.TABLES)
    assert book["overdue"].max_row == 1
    assert _png(out / "overdue.png") and _png(out / "review_throughput.png")


def test_cli_bad_as_of_exits_2(db, tmp_path, capsys):
    code = main(["--home", str(tmp_path), "report", "--as-of", "2026-02-30"])

    assert code == 2
    assert "--as-of must be a date as YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


# ---- ledger export ----------------------------------------------------------------------------


def _ledger(db: Database) -> tuple[dict[str, tuple], dict[str, tuple]]:
    with db.session() as s:
        customers = {
            c.customer_id: tuple(getattr(c, k) for k in CUSTOMER_COLUMNS)
            for c in s.scalars(select(Customer))
        }
        bills = {
            b.bill_id: tuple(getattr(b, k) for k in (*BILL_COLUMNS, "amount_remaining"))
            for b in s.scalars(select(Bill))
        }
    return customers, bills


def test_export_has_the_import_columns_and_current_status(db, populated, tmp_path):
    written = reports.export_ledger(db, tmp_path / "exp")

    customers = _csv(tmp_path / "exp" / "customers.csv")
    bills = {r["bill_id"]: r for r in _csv(tmp_path / "exp" / "bills.csv")}
    assert list(customers[0]) == list(CUSTOMER_COLUMNS)
    assert list(bills["B1"]) == [*BILL_COLUMNS, "amount_remaining"]
    assert (bills["B5"]["status"], bills["B5"]["amount_remaining"]) == ("paid", "0.00")
    assert (bills["B2"]["status"], bills["B2"]["amount_remaining"]) == ("partial", "50.00")
    assert bills["B8"]["due_date"] == ""
    assert {c["customer_id"]: c["tax_id"] for c in customers}["C1"] == "00123"
    assert written.rows == {"customers": 3, "bills": 8}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_a_fresh_database_round_trips(db, populated, tmp_path, fmt):
    folder = tmp_path / f"exp-{fmt}"
    reports.export_ledger(db, folder, fmt=fmt)
    fresh = Database(f"sqlite:///{tmp_path}/fresh-{fmt}.db")

    with fresh.session() as s:
        result = import_ledger(s, folder / f"customers.{fmt}", folder / f"bills.{fmt}")

    assert result.errors == []
    assert result.inserted == {"customers": 3, "bills": 8}
    before_customers, before_bills = _ledger(db)
    after_customers, after_bills = _ledger(fresh)
    assert after_customers == before_customers
    assert set(after_bills) == set(before_bills)
    # Partial bills included: the export's amount_remaining column says what is left.
    assert after_bills == before_bills


def test_cli_ledger_export(db, populated, tmp_path):
    out = tmp_path / "ledger-out"

    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path), "ledger", "export", "--out", str(out), "--format", "xlsx"]
    )

    assert result.exit_code == 0, result.output
    assert "3 customer(s), 8 bill(s)" in result.output
    book = load_workbook(out / "bills.xlsx")
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == [*BILL_COLUMNS, "amount_remaining"]
    assert len(rows) == 9
    assert (out / "customers.xlsx").stat().st_size > 0


def test_cli_ledger_export_default_folder(db, populated, tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "ledger", "export"])

    assert result.exit_code == 0, result.output
    folder = tmp_path / "exports" / date.today().isoformat()
    assert len(_csv(folder / "bills.csv")) == 8
    assert len(_csv(folder / "customers.csv")) == 3
