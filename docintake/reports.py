"""Bill lifecycle reports and the ledger export, as pandas tables and files.

Read-only over the database. Library code: returns frames or writes files, raises
``docintake.exceptions`` errors, never prints (the CLI does that).

What each table means:

- ``reconciliation``: one row per bill with the accepted documents (``auto_accepted`` or
  ``accepted``, with the bill set) that paid it. ``paid_by_documents`` is the sum of their
  totals, ``settled`` what the ledger records as paid (amount - amount_remaining) and
  ``difference`` = amount - paid_by_documents (> 0: the documents do not cover the bill,
  < 0: they paid more than it). Flags: paid by more than one document, overpaid (audit action
  ``overpayment``), accepted documents while the bill is still ``open``.
- ``overdue``: open and partial bills past their due date on the as-of date, per customer and
  currency (amounts in different currencies are never added up), in age buckets.
- ``customer_history``: documents by status, payments, bills by status, billed and balance.
- ``review_throughput``: per day, from the audit log's document status changes.

The reconciliation and customer history show the ledger as it is now; the as-of date sets
the ages of the overdue bills and the last day of the review throughput.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from docintake.domain import Status, parse_decimal
from docintake.exceptions import SetupError, UsageError
from storage.db import Database
from storage.ledger_import import BILL_COLUMNS, CUSTOMER_COLUMNS
from storage.models import AuditEntry, Bill, Customer, Document
from storage.repositories import bill_payments, stored_value

if TYPE_CHECKING:
    import pandas as pd

Source = Session | Database
REPORT_FORMATS = ("csv", "xlsx", "both")
EXPORT_FORMATS = ("csv", "xlsx")

ACCEPTED = frozenset({Status.AUTO_ACCEPTED.value, Status.ACCEPTED.value})
# Statuses a stored document can have (``extracted`` exists only in `docintake extract`).
DOCUMENT_STATUSES = tuple(s.value for s in Status if s is not Status.EXTRACTED)
BILL_STATUSES = ("open", "partial", "paid")
ZERO = Decimal("0.00")

# (column, first day, last day); the last bucket has no upper end.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("days_1_30", 1, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("days_over_90", 91, None),
)
BUCKET_LABELS = {
    "days_1_30": "1–30 days",
    "days_31_60": "31–60 days",
    "days_61_90": "61–90 days",
    "days_over_90": "> 90 days",
}
# Customers shown in the overdue chart (the table has them all).
CHART_TOP_CUSTOMERS = 10

RECONCILIATION_COLUMNS = (
    "bill_id",
    "customer_id",
    "customer_name",
    "reference",
    "issue_date",
    "due_date",
    "currency",
    "amount",
    "amount_remaining",
    "status",
    "documents",
    "document_ids",
    "document_files",
    "document_amounts",
    "document_dates",
    "posted_at",
    "paid_by_documents",
    "settled",
    "difference",
    "overpaid_by",
    "multiple_documents",
    "overpaid",
    "accepted_but_open",
    "flags",
)
OVERDUE_BILL_COLUMNS = (
    "bill_id",
    "customer_id",
    "customer_name",
    "reference",
    "currency",
    "due_date",
    "days_overdue",
    "bucket",
    "amount_remaining",
)
OVERDUE_COLUMNS = (
    "customer_id",
    "customer_name",
    "currency",
    "bills",
    *(b[0] for b in BUCKETS),
    "total",
)
CUSTOMER_HISTORY_COLUMNS = (
    "customer_id",
    "customer_name",
    "currencies",
    "documents",
    *(f"documents_{s}" for s in DOCUMENT_STATUSES),
    "payments",
    "paid_by_documents",
    "settled",
    "bills_open",
    "bills_partial",
    "bills_paid",
    "total_billed",
    "balance",
)
THROUGHPUT_COLUMNS = (
    "date",
    "entered_review",
    "approvals",
    "accepted",
    "rejected",
    "waiting_at_day_end",
    "median_hours_to_decision",
)
EXPORT_BILL_COLUMNS = (*BILL_COLUMNS, "amount_remaining")  # import reads it for partial bills

# Sheet (and CSV file) name per table, in the order they are written.
TABLES = ("reconciliation", "overdue", "customer_history", "review_throughput")


# ---- reading ----------------------------------------------------------------------------------


@contextmanager
def _reading(source: Source) -> Iterator[Session]:
    if isinstance(source, Database):
        with source.session() as s:
            yield s
    else:
        yield source


def parse_as_of(value: str | None) -> date:
    """The report date from ``--as-of`` (YYYY-MM-DD); today when not given."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError as e:
        raise UsageError(f"--as-of must be a date as YYYY-MM-DD, not {value!r}.") from e


def _utc(at: datetime) -> datetime:
    """Naive UTC: SQLite gives naive datetimes back, PostgreSQL aware ones."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


@dataclass(frozen=True)
class _Doc:
    id: int
    file_name: str
    status: str
    customer_id: str | None
    bill_id: str | None
    amount: Decimal | None
    document_date: str | None
    posted_at: datetime | None


@dataclass
class _Snapshot:
    customers: dict[str, Customer]
    bills: list[Bill]
    documents: list[_Doc]
    overpaid: dict[str, Decimal]  # bill id -> excess paid, from the audit log
    settled: dict[str, Decimal]  # bill id -> settled by payments, from the audit log
    status_changes: list[AuditEntry]  # document status changes and approvals, in order

    @property
    def empty(self) -> bool:
        return not self.bills and not self.documents


def _load(s: Session) -> _Snapshot:
    customers = {c.customer_id: c for c in s.scalars(select(Customer))}
    bills = list(s.scalars(select(Bill).order_by(Bill.customer_id, Bill.bill_id)))
    # Columns, not whole rows: a document's OCR text can be large.
    rows = s.execute(
        select(
            Document.id,
            Document.file_name,
            Document.status,
            Document.customer_id,
            Document.bill_id,
            Document.fields,
            Document.posted_at,
        ).order_by(Document.id)
    )
    documents = []
    for r in rows:
        date_value = stored_value(r.fields, "document_date")
        documents.append(
            _Doc(
                id=r.id,
                file_name=r.file_name,
                status=r.status,
                customer_id=r.customer_id,
                bill_id=r.bill_id,
                amount=parse_decimal(stored_value(r.fields, "total_amount")),
                document_date=None if date_value is None else str(date_value),
                posted_at=None if r.posted_at is None else _utc(r.posted_at),
            )
        )
    payments = bill_payments(s)
    changes = list(
        s.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "document",
                or_(AuditEntry.field == "status", AuditEntry.action == "approve"),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
    return _Snapshot(customers, bills, documents, payments.overpaid, payments.settled, changes)


def _frame(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    # Explicit columns so that an empty table still has its header.
    return pd.DataFrame(list(rows), columns=list(columns))


def _name(snap: _Snapshot, customer_id: str | None) -> str | None:
    customer = snap.customers.get(customer_id or "")
    return customer.name if customer else None


# ---- tables -----------------------------------------------------------------------------------


def _reconciliation(snap: _Snapshot) -> pd.DataFrame:
    paying: dict[str, list[_Doc]] = defaultdict(list)
    for d in snap.documents:
        if d.status in ACCEPTED and d.bill_id is not None:
            paying[d.bill_id].append(d)
    rows = []
    for b in snap.bills:
        docs = sorted(paying.get(b.bill_id, []), key=lambda d: (d.posted_at or datetime.max, d.id))
        paid = sum((d.amount or ZERO for d in docs), ZERO)
        overpaid_by = snap.overpaid.get(b.bill_id, ZERO)
        multiple = len(docs) > 1
        accepted_but_open = bool(docs) and b.status == "open"
        flags = []
        if multiple:
            flags.append(f"paid by {len(docs)} documents")
        if overpaid_by > 0:
            flags.append(f"overpaid by {overpaid_by}")
        if accepted_but_open:
            flags.append("accepted document(s) but the bill is still open")
        rows.append(
            {
                "bill_id": b.bill_id,
                "customer_id": b.customer_id,
                "customer_name": _name(snap, b.customer_id),
                "reference": b.reference,
                "issue_date": b.issue_date,
                "due_date": b.due_date,
                "currency": b.currency,
                "amount": b.amount,
                "amount_remaining": b.amount_remaining,
                "status": b.status,
                "documents": len(docs),
                "document_ids": "; ".join(str(d.id) for d in docs),
                "document_files": "; ".join(d.file_name for d in docs),
                "document_amounts": "; ".join(
                    "" if d.amount is None else str(d.amount) for d in docs
                ),
                "document_dates": "; ".join(d.document_date or "" for d in docs),
                "posted_at": "; ".join(
                    d.posted_at.isoformat(timespec="seconds") if d.posted_at else "" for d in docs
                ),
                "paid_by_documents": paid,
                "settled": b.amount - b.amount_remaining,
                "difference": b.amount - paid,
                "overpaid_by": overpaid_by,
                "multiple_documents": multiple,
                "overpaid": overpaid_by > 0,
                "accepted_but_open": accepted_but_open,
                "flags": "; ".join(flags),
            }
        )
    return _frame(rows, RECONCILIATION_COLUMNS)


def age_bucket(days_overdue: int) -> str | None:
    """The bucket column for a bill this many days past due; None when not overdue."""
    for name, first, last in BUCKETS:
        if days_overdue >= first and (last is None or days_overdue <= last):
            return name
    return None


def _overdue_bills(snap: _Snapshot, as_of: date) -> pd.DataFrame:
    rows = []
    for b in snap.bills:
        # A bill without a due date cannot be called overdue.
        if b.status not in ("open", "partial") or b.due_date is None:
            continue
        days = (as_of - b.due_date).days
        bucket = age_bucket(days)
        if bucket is None:
            continue
        rows.append(
            {
                "bill_id": b.bill_id,
                "customer_id": b.customer_id,
                "customer_name": _name(snap, b.customer_id),
                "reference": b.reference,
                "currency": b.currency,
                "due_date": b.due_date,
                "days_overdue": days,
                "bucket": bucket,
                "amount_remaining": b.amount_remaining,
            }
        )
    return _frame(rows, OVERDUE_BILL_COLUMNS)


def _overdue(bills: pd.DataFrame) -> pd.DataFrame:
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for b in bills.to_dict("records"):
        key = (b["customer_id"], b["currency"] or "")
        row = groups.setdefault(
            key,
            {
                "customer_id": b["customer_id"],
                "customer_name": b["customer_name"],
                "currency": b["currency"],
                "bills": 0,
                **{name: ZERO for name, _, _ in BUCKETS},
                "total": ZERO,
            },
        )
        row["bills"] += 1
        row[b["bucket"]] += b["amount_remaining"]
        row["total"] += b["amount_remaining"]
    rows = sorted(groups.values(), key=lambda r: (-r["total"], r["customer_id"], r["currency"]))
    return _frame(rows, OVERDUE_COLUMNS)


def _customer_history(snap: _Snapshot) -> pd.DataFrame:
    rows: dict[str, dict[str, Any]] = {}
    currencies: dict[str, set[str]] = defaultdict(set)
    for cid in sorted(snap.customers):
        rows[cid] = {
            "customer_id": cid,
            "customer_name": snap.customers[cid].name,
            "currencies": "",
            "documents": 0,
            **{f"documents_{s}": 0 for s in DOCUMENT_STATUSES},
            "payments": 0,
            "paid_by_documents": ZERO,
            "settled": ZERO,
            **{f"bills_{s}": 0 for s in BILL_STATUSES},
            "total_billed": ZERO,
            "balance": ZERO,
        }
    for d in snap.documents:
        row = rows.get(d.customer_id or "")
        if row is None:
            continue
        row["documents"] += 1
        if d.status in DOCUMENT_STATUSES:
            row[f"documents_{d.status}"] += 1
        if d.status in ACCEPTED and d.bill_id is not None:
            row["payments"] += 1
            row["paid_by_documents"] += d.amount or ZERO
    for b in snap.bills:
        row = rows[b.customer_id]
        if b.currency:
            currencies[b.customer_id].add(b.currency)
        if b.status in BILL_STATUSES:
            row[f"bills_{b.status}"] += 1
        row["total_billed"] += b.amount
        row["settled"] += snap.settled.get(b.bill_id, ZERO)
        if b.status in ("open", "partial"):
            row["balance"] += b.amount_remaining
    for cid, names in currencies.items():
        # Sums over several currencies are not amounts; the column says when that happens.
        rows[cid]["currencies"] = ", ".join(sorted(names))
    return _frame(list(rows.values()), CUSTOMER_HISTORY_COLUMNS)


IN_REVIEW = (Status.NEEDS_REVIEW.value, Status.ESCALATED.value)


def _review_throughput(snap: _Snapshot, as_of: date) -> pd.DataFrame:
    """Per day (UTC) from document status changes; nothing after the as-of date counts."""
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    entered: dict[date, int] = defaultdict(int)
    approvals: dict[date, int] = defaultdict(int)
    decided: dict[tuple[date, str], int] = defaultdict(int)
    hours: dict[date, list[float]] = defaultdict(list)
    waiting_since: dict[str, datetime] = {}  # document id -> when it entered review
    spans: list[tuple[datetime, datetime | None]] = []  # time in review, per stay
    for e in snap.status_changes:
        at = _utc(e.at)
        if at >= end:
            break
        day = at.date()
        if e.action == "approve" and e.field is None:
            approvals[day] += 1
            continue
        new, old = e.new_value, e.old_value
        # An escalated document is still in review (waiting for an admin): escalation is not a
        # decision, and the admin's resolution ends the same stay.
        if new in IN_REVIEW and e.entity_id not in waiting_since:
            waiting_since[e.entity_id] = at
            entered[day] += 1
        elif old in IN_REVIEW and new not in IN_REVIEW:
            started = waiting_since.pop(e.entity_id, None)
            if started is not None:
                spans.append((started, at))
            if new in (Status.ACCEPTED, Status.REJECTED):
                decided[(day, str(new))] += 1
                if started is not None:
                    hours[day].append((at - started).total_seconds() / 3600)
    spans += [(started, None) for started in waiting_since.values()]
    days = set(entered) | set(approvals) | {d for d, _ in decided}
    if not days:
        return _frame([], THROUGHPUT_COLUMNS)
    rows = []
    day = min(days)
    while day <= as_of:
        day_end = datetime.combine(day + timedelta(days=1), datetime.min.time())
        waiting = sum(1 for s, f in spans if s < day_end and (f is None or f >= day_end))
        rows.append(
            {
                "date": day,
                "entered_review": entered.get(day, 0),
                "approvals": approvals.get(day, 0),
                "accepted": decided.get((day, Status.ACCEPTED.value), 0),
                "rejected": decided.get((day, Status.REJECTED.value), 0),
                "waiting_at_day_end": waiting,
                "median_hours_to_decision": (
                    round(statistics.median(hours[day]), 2) if hours.get(day) else None
                ),
            }
        )
        day += timedelta(days=1)
    return _frame(rows, THROUGHPUT_COLUMNS)


@dataclass
class Report:
    as_of: date
    reconciliation: pd.DataFrame
    overdue: pd.DataFrame
    overdue_bills: pd.DataFrame
    customer_history: pd.DataFrame
    review_throughput: pd.DataFrame
    empty: bool  # no bills and no documents

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}


def build_report(source: Source, as_of: date) -> Report:
    """All report tables from one consistent read of the database."""
    with _reading(source) as s:
        snap = _load(s)
    overdue_bills = _overdue_bills(snap, as_of)
    return Report(
        as_of=as_of,
        reconciliation=_reconciliation(snap),
        overdue=_overdue(overdue_bills),
        overdue_bills=overdue_bills,
        customer_history=_customer_history(snap),
        review_throughput=_review_throughput(snap, as_of),
        empty=snap.empty,
    )


# ---- charts -----------------------------------------------------------------------------------


def _figure(width: float = 10, height: float = 5.5) -> Any:
    # Figure and the Agg canvas directly, not pyplot: no display, no global figure state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _no_data(fig: Any, message: str) -> None:
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=14)


def overdue_chart(overdue: pd.DataFrame, path: Path, as_of: date) -> Path:
    """Stacked bars: the customers with most overdue, split by age bucket."""
    fig = _figure()
    if overdue.empty:
        _no_data(fig, f"No overdue bills on {as_of.isoformat()}")
    else:
        top = overdue.sort_values("total", ascending=False).head(CHART_TOP_CUSTOMERS)
        # The id is in the label: two customers can share a name, and bars are placed by
        # position so that such twins are not stacked onto one bar.
        labels = [
            f"{r.customer_name or r.customer_id}\n{r.customer_id} · {r.currency or '?'}"
            for r in top.itertuples(index=False)
        ]
        positions = list(range(len(top)))
        ax = fig.subplots()
        bottom = [0.0] * len(top)
        for name, _, _ in BUCKETS:
            values = [float(v) for v in top[name]]
            ax.bar(positions, values, bottom=bottom, label=BUCKET_LABELS[name])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_xticks(positions, labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("amount remaining (bill currency)")
        ax.set_title(f"Overdue on {as_of.isoformat()}: top {len(top)} customer(s)")
        ax.legend(title="past due")
    fig.savefig(path, format="png", dpi=100)
    return path


def throughput_chart(throughput: pd.DataFrame, path: Path, as_of: date) -> Path:
    """Lines per day: entered review, accepted, rejected, waiting at day end."""
    fig = _figure()
    if throughput.empty:
        _no_data(fig, f"No document was sent to review up to {as_of.isoformat()}")
    else:
        ax = fig.subplots()
        days = list(throughput["date"])
        for column, label in (
            ("entered_review", "entered review"),
            ("accepted", "accepted"),
            ("rejected", "rejected"),
            ("waiting_at_day_end", "waiting at day end"),
        ):
            ax.plot(days, [int(v) for v in throughput[column]], marker="o", label=label)
        ax.set_ylabel("documents")
        ax.set_title("Review throughput per day (UTC)")
        handles, labels = ax.get_legend_handles_labels()
        hours = [float(v) for v in throughput["median_hours_to_decision"]]
        if any(h == h for h in hours):  # NaN != NaN: a day without decisions
            right = ax.twinx()
            (line,) = right.plot(days, hours, linestyle="--", marker="x", color="grey")
            right.set_ylabel("median hours to decision")
            right.set_ylim(bottom=0)
            handles.append(line)
            labels.append("median hours to decision")
        ax.legend(handles, labels)
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.autofmt_xdate()
    fig.savefig(path, format="png", dpi=100)
    return path


# ---- files ------------------------------------------------------------------------------------


@dataclass
class WrittenFiles:
    out_dir: Path
    paths: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    # What needs attention, e.g. "overdue bills" -> 3.
    findings: dict[str, int] = field(default_factory=dict)
    empty: bool = False


def _out_dir(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SetupError(f"Cannot create the output folder {out_dir}: {e}") from e
    return out_dir


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def write_report(source: Source, out_dir: Path, *, as_of: date, fmt: str = "both") -> WrittenFiles:
    """Write the report tables (CSV and/or one XLSX) and the two charts into ``out_dir``."""
    if fmt not in REPORT_FORMATS:
        raise UsageError(f"Unknown report format {fmt!r}; use csv, xlsx or both.")
    report = build_report(source, as_of)
    tables = report.tables()
    written = WrittenFiles(_out_dir(out_dir), empty=report.empty)
    written.rows = {name: len(frame) for name, frame in tables.items()}
    rec = report.reconciliation
    written.findings = {
        "overdue bills": len(report.overdue_bills),
        "bills paid by several documents": int(rec["multiple_documents"].sum()),
        "overpaid bills": int(rec["overpaid"].sum()),
        "open bills with accepted documents": int(rec["accepted_but_open"].sum()),
    }
    try:
        if fmt in ("csv", "both"):
            for name, frame in tables.items():
                path = out_dir / f"{name}.csv"
                frame.to_csv(path, index=False)
                written.paths.append(path)
        if fmt in ("xlsx", "both"):
            path = out_dir / "report.xlsx"
            _write_xlsx(path, tables)
            written.paths.append(path)
        written.paths.append(overdue_chart(report.overdue, out_dir / "overdue.png", as_of))
        written.paths.append(
            throughput_chart(report.review_throughput, out_dir / "review_throughput.png", as_of)
        )
    except OSError as e:
        raise SetupError(f"Cannot write the report into {out_dir}: {e}") from e
    return written


# ---- ledger export ----------------------------------------------------------------------------


def ledger_frames(source: Source) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers and bills in the columns `docintake ledger import` reads, bills as they are now.

    Bills also carry ``amount_remaining``, which the import reads for partial bills.
    """
    with _reading(source) as s:
        customers = [
            {c: getattr(row, c) for c in CUSTOMER_COLUMNS}
            for row in s.scalars(select(Customer).order_by(Customer.customer_id))
        ]
        bills = [
            {c: getattr(row, c) for c in EXPORT_BILL_COLUMNS}
            for row in s.scalars(select(Bill).order_by(Bill.bill_id))
        ]
    return _frame(customers, CUSTOMER_COLUMNS), _frame(bills, EXPORT_BILL_COLUMNS)


def export_ledger(source: Source, out_dir: Path, *, fmt: str = "csv") -> WrittenFiles:
    """Write ``customers.csv`` and ``bills.csv`` (or .xlsx) that `ledger import` takes back."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"Unknown export format {fmt!r}; use csv or xlsx.")
    customers, bills = ledger_frames(source)
    written = WrittenFiles(_out_dir(out_dir), empty=customers.empty and bills.empty)
    written.rows = {"customers": len(customers), "bills": len(bills)}
    try:
        for name, frame in (("customers", customers), ("bills", bills)):
            path = out_dir / f"{name}.{fmt}"
            if fmt == "csv":
                frame.to_csv(path, index=False)
            else:
                _write_xlsx(path, {name: frame})
            written.paths.append(path)
    except OSError as e:
        raise SetupError(f"Cannot write the ledger export into {out_dir}: {e}") from e
    return written
