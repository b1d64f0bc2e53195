"""The slice of the ledger matching needs, as plain data, and how matching asks for it.

Matching never reads the whole ledger: it asks a ``LedgerView`` for the customers that share a
blocking key with the document (``matching.keys``) and for those customers' open bills.
``storage.ledger_index.SqlLedger`` answers from indexed tables; ``MemoryLedger`` from dicts
(tests, small tools).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from matching.keys import customer_keys
from matching.normalize import normalize_id


@dataclass(frozen=True)
class CustomerRecord:
    customer_id: str
    name: str
    address: str | None = None
    tax_id: str | None = None
    email: str | None = None
    phone: str | None = None


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
    amount: Decimal | None = None  # as issued; None means the same as amount_remaining

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "partial") and self.amount_remaining > 0


class LedgerView(Protocol):
    """What the matcher may ask of a ledger. Every call is an indexed lookup."""

    def key_counts(self, keys: Sequence[str]) -> dict[str, int]:
        """How many customers carry each key (keys no customer has are left out)."""
        ...

    def customers_by_keys(self, keys: Sequence[str], limit: int) -> list[CustomerRecord]:
        """Customers carrying the most of ``keys``, at most ``limit`` of them."""
        ...

    def open_bills(self, customer_ids: Sequence[str]) -> list[BillRecord]:
        """Open and partial bills of these customers."""
        ...

    def bills_by_reference(self, reference_key: str) -> list[BillRecord]:
        """Bills of any status whose normalised reference is ``reference_key`` (a document
        naming a paid bill must not be matched to another one)."""
        ...

    def customers(self, customer_ids: Sequence[str]) -> list[CustomerRecord]: ...


@dataclass(frozen=True)
class Ledger:
    """A whole ledger in memory."""

    customers: tuple[CustomerRecord, ...]
    bills: tuple[BillRecord, ...] = field(default=())

    def open_bills_of(self, customer_id: str) -> list[BillRecord]:
        return [b for b in self.bills if b.customer_id == customer_id and b.is_open]


class MemoryLedger:
    """``LedgerView`` over a ``Ledger`` held in memory, indexed once."""

    def __init__(self, ledger: Ledger | Iterable[CustomerRecord], bills: Iterable[BillRecord] = ()):
        if isinstance(ledger, Ledger):
            customers, bills = ledger.customers, ledger.bills
        else:
            customers = tuple(ledger)
        self._customers = {c.customer_id: c for c in customers}
        self._by_key: dict[str, set[str]] = defaultdict(set)
        for c in self._customers.values():
            for key in customer_keys(c.name, tax_id=c.tax_id, phone=c.phone, email=c.email):
                self._by_key[key].add(c.customer_id)
        self._bills: dict[str, list[BillRecord]] = defaultdict(list)
        self._by_reference: dict[str, list[BillRecord]] = defaultdict(list)
        for b in bills:
            if b.reference and (ref := normalize_id(b.reference)):
                self._by_reference[ref].append(b)
            if b.is_open:
                self._bills[b.customer_id].append(b)

    def key_counts(self, keys: Sequence[str]) -> dict[str, int]:
        return {k: len(self._by_key[k]) for k in keys if self._by_key.get(k)}

    def customers_by_keys(self, keys: Sequence[str], limit: int) -> list[CustomerRecord]:
        hits: Counter[str] = Counter()
        for k in keys:
            hits.update(self._by_key.get(k, ()))
        ranked = sorted(hits, key=lambda cid: (-hits[cid], cid))[:limit]
        return [self._customers[cid] for cid in ranked]

    def open_bills(self, customer_ids: Sequence[str]) -> list[BillRecord]:
        return [b for cid in customer_ids for b in self._bills.get(cid, ())]

    def bills_by_reference(self, reference_key: str) -> list[BillRecord]:
        return list(self._by_reference.get(reference_key, ()))

    def customers(self, customer_ids: Sequence[str]) -> list[CustomerRecord]:
        return [self._customers[c] for c in customer_ids if c in self._customers]
