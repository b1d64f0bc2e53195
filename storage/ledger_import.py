"""Import customers and bills from CSV or XLSX (pandas). Upserts; bad rows are reported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from docintake.domain import parse_decimal
from docintake.exceptions import LedgerImportError
from storage.models import Bill, Customer, utcnow
from storage.repositories import audit

CUSTOMER_COLUMNS = ("customer_id", "name", "address", "tax_id", "email", "phone")
BILL_COLUMNS = (
    "bill_id",
    "customer_id",
    "reference",
    "issue_date",
    "due_date",
    "currency",
    "amount",
    "status",
)
BILL_STATUSES = ("open", "partial", "paid")
# Column widths of the tables (PostgreSQL enforces them; a row that does not fit is a bad row).
MAX_LENGTH = {
    "customer_id": 64,
    "name": 300,
    "tax_id": 64,
    "email": 300,
    "phone": 64,
    "bill_id": 64,
    "reference": 120,
}
# How far a bill has been settled; a stale export must not reopen a bill we have settled.
_SETTLED_RANK = {"open": 0, "partial": 1, "paid": 2}


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.message}"


@dataclass
class ImportReport:
    inserted: dict[str, int] = field(default_factory=lambda: {"customers": 0, "bills": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"customers": 0, "bills": 0})
    kept_local: int = 0
    errors: list[RowError] = field(default_factory=list)


def read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a CSV or XLSX file as strings; raise if the file or its header is unusable."""
    if not path.is_file():
        raise LedgerImportError(f"Ledger file {path} does not exist.")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        else:
            # Blank lines are kept (and skipped below) so that row index + 2 is the line number.
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                skip_blank_lines=False,
            )
    except Exception as e:  # pandas raises many parser-specific types
        raise LedgerImportError(f"Cannot read {path.name} as CSV or XLSX: {e}") from e
    frame = frame.fillna("")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise LedgerImportError(
            f"{path.name} lacks the column(s) {', '.join(missing)}; expected {','.join(columns)}."
        )
    return frame


def _blank(row: pd.Series) -> bool:
    return all(not str(v).strip() for v in row.to_numpy())


def _too_long(values: Mapping[str, str | None]) -> str | None:
    for column, limit in MAX_LENGTH.items():
        value = values.get(column)
        if value is not None and len(value) > limit:
            return f"{column} is longer than {limit} characters"
    return None


def _clean(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _date(value: str | None, column: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as e:
        raise ValueError(f"{column} {value!r} is not a date (YYYY-MM-DD)") from e


def _amount(value: str | None) -> Decimal:
    if value is None:
        raise ValueError("amount is empty")
    amount = parse_decimal(value)
    if amount is None:
        raise ValueError(f"amount {value!r} is not a number")
    if amount < 0:
        raise ValueError(f"amount {value} is negative")
    return amount


def import_customers(session: Session, path: Path, report: ImportReport, actor: str) -> None:
    frame = read_table(path, CUSTOMER_COLUMNS)
    seen: set[str] = set()
    for index, row in frame.iterrows():
        line = int(str(index)) + 2  # header is line 1
        if _blank(row):
            continue
        values = {c: _clean(row[c]) for c in CUSTOMER_COLUMNS}
        cid, name = values["customer_id"], values["name"]
        if not cid:
            report.errors.append(RowError(path.name, line, "customer_id is empty"))
            continue
        if not name:
            report.errors.append(RowError(path.name, line, f"customer {cid} has no name"))
            continue
        if cid in seen:
            report.errors.append(RowError(path.name, line, f"customer_id {cid} appears twice"))
            continue
        if problem := _too_long(values):
            report.errors.append(RowError(path.name, line, problem))
            continue
        seen.add(cid)
        existing = session.get(Customer, cid)
        if existing is None:
            session.add(Customer(**values))  # type: ignore[arg-type]
            report.inserted["customers"] += 1
            continue
        changed = False
        for column in CUSTOMER_COLUMNS[1:]:
            old = getattr(existing, column)
            if old != values[column]:
                audit(
                    session,
                    actor=actor,
                    entity="customer",
                    entity_id=cid,
                    action="import",
                    field=column,
                    old=old,
                    new=values[column],
                )
                setattr(existing, column, values[column])
                changed = True
        if changed:
            existing.updated_at = utcnow()
            report.updated["customers"] += 1
    session.flush()


def import_bills(session: Session, path: Path, report: ImportReport, actor: str) -> None:
    frame = read_table(path, BILL_COLUMNS)
    seen: set[str] = set()
    for index, row in frame.iterrows():
        line = int(str(index)) + 2
        if _blank(row):
            continue
        raw = {c: _clean(row[c]) for c in BILL_COLUMNS}
        try:
            bill_id = raw["bill_id"]
            if not bill_id:
                raise ValueError("bill_id is empty")
            if bill_id in seen:
                raise ValueError(f"bill_id {bill_id} appears twice")
            if problem := _too_long(raw):
                raise ValueError(problem)
            customer_id = raw["customer_id"]
            if not customer_id or session.get(Customer, customer_id) is None:
                raise ValueError(f"customer_id {customer_id!r} is not a known customer")
            status = (raw["status"] or "").lower()
            if status not in BILL_STATUSES:
                raise ValueError(f"status {raw['status']!r} is not one of open, partial, paid")
            currency = (raw["currency"] or "").upper() or None
            if currency is not None and (len(currency) != 3 or not currency.isalpha()):
                raise ValueError(f"currency {raw['currency']!r} is not an ISO 4217 code")
            values: dict[str, object] = {
                "customer_id": customer_id,
                "reference": raw["reference"],
                "issue_date": _date(raw["issue_date"], "issue_date"),
                "due_date": _date(raw["due_date"], "due_date"),
                "currency": currency,
                "amount": _amount(raw["amount"]),
                "status": status,
            }
        except ValueError as e:
            report.errors.append(RowError(path.name, line, str(e)))
            continue
        seen.add(bill_id)
        _upsert_bill(session, bill_id, values, report, actor)
    session.flush()


def _upsert_bill(
    session: Session, bill_id: str, values: Mapping[str, object], report: ImportReport, actor: str
) -> None:
    amount = values["amount"]
    assert isinstance(amount, Decimal)
    status = str(values["status"])
    existing = session.get(Bill, bill_id)
    if existing is None:
        remaining = Decimal("0.00") if status == "paid" else amount
        session.add(Bill(bill_id=bill_id, amount_remaining=remaining, **values))  # type: ignore[arg-type]
        report.inserted["bills"] += 1
        return
    paid_here = existing.amount - existing.amount_remaining  # what has been settled so far
    keep_ours = _SETTLED_RANK[existing.status] > _SETTLED_RANK[status] and paid_here > 0
    if keep_ours:
        # We recorded payments the export does not know about yet: keep them, against the
        # export's (possibly corrected) amount.
        remaining = max(Decimal("0.00"), amount - paid_here)
        values = {**values, "status": "paid" if remaining == 0 else "partial"}
        report.kept_local += 1
    elif status == "open":
        remaining = amount
    elif status == "paid":
        remaining = Decimal("0.00")
    else:  # partial: the export does not say how much is left; keep what we know
        remaining = min(existing.amount_remaining, amount)
    changed = False
    for column, new in {**values, "amount_remaining": remaining}.items():
        old = getattr(existing, column)
        if old != new:
            audit(
                session,
                actor=actor,
                entity="bill",
                entity_id=bill_id,
                action="import",
                field=column,
                old=old,
                new=new,
            )
            setattr(existing, column, new)
            changed = True
    if changed:
        existing.updated_at = utcnow()
        report.updated["bills"] += 1


def import_ledger(
    session: Session,
    customers: Path | None,
    bills: Path | None,
    actor: str = "ledger-import",
) -> ImportReport:
    report = ImportReport()
    if customers is not None:
        import_customers(session, customers, report, actor)
    if bills is not None:
        import_bills(session, bills, report, actor)
    return report
