"""The slice of the ledger matching needs, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class CustomerRecord:
    customer_id: str
    name: str
    address: str | None = None
    tax_id: str | None = None


@dataclass(frozen=True)
class BillRecord:
    bill_id: str
    customer_id: str
    amount_remaining: Decimal
    status: str  # open | partial | paid
    reference: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    currency: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "partial") and self.amount_remaining > 0


@dataclass(frozen=True)
class Ledger:
    customers: tuple[CustomerRecord, ...]
    bills: tuple[BillRecord, ...] = field(default=())

    def open_bills_of(self, customer_id: str) -> list[BillRecord]:
        return [b for b in self.bills if b.customer_id == customer_id and b.is_open]
