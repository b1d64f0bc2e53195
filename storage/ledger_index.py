"""The ledger as matching sees it (``matching.ledger.LedgerView``), answered by indexed queries.

Per document this costs a handful of index lookups whatever the size of the ledger: key
counts, the customers sharing the rarest keys, and those customers' open bills.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from matching.keys import customer_keys
from matching.ledger import BillRecord, CustomerRecord
from matching.normalize import normalize_id
from storage.models import Bill, Customer, CustomerKey

OPEN_STATUSES = ("open", "partial")
# SQLite allows 32766 bound parameters per statement; stay well below for IN lists and inserts.
CHUNK = 900


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


# Plain columns, not ORM objects: building and tracking an object per row took a quarter to
# a third of these lookups' time (profiled at 100k customers / 1M bills, benchmarks/match_scale).
_CUSTOMER_COLUMNS = (
    Customer.customer_id,
    Customer.name,
    Customer.address,
    Customer.tax_id,
    Customer.email,
    Customer.phone,
)
_BILL_COLUMNS = (  # in BillRecord's field order
    Bill.bill_id,
    Bill.customer_id,
    Bill.amount_remaining,
    Bill.status,
    Bill.reference,
    Bill.issue_date,
    Bill.due_date,
    Bill.currency,
    Bill.amount,
)


def customer_record(c: Customer) -> CustomerRecord:
    return CustomerRecord(c.customer_id, c.name, c.address, c.tax_id, c.email, c.phone)


def bill_record(b: Bill) -> BillRecord:
    return BillRecord(
        bill_id=b.bill_id,
        customer_id=b.customer_id,
        amount_remaining=b.amount_remaining,
        status=b.status,
        reference=b.reference,
        issue_date=b.issue_date,
        due_date=b.due_date,
        currency=b.currency,
        amount=b.amount,
    )


def reference_key(reference: str | None) -> str | None:
    return (normalize_id(reference) or None) if reference else None


def index_customers(session: Session, customers: Iterable[CustomerRecord]) -> int:
    """(Re)write the blocking keys of these customers; returns how many keys were written.

    Customers added or changed through the ORM are indexed by themselves (see ``_reindex``);
    bulk inserts that bypass the ORM call this.
    """
    return _write_keys(session.connection(), list(customers))


def _write_keys(connection: Any, customers: list[CustomerRecord]) -> int:
    ids = [c.customer_id for c in customers]
    for chunk in _chunks(ids):
        connection.execute(delete(CustomerKey).where(CustomerKey.customer_id.in_(chunk)))
    rows = [
        {"key": key, "customer_id": c.customer_id}
        for c in customers
        for key in sorted(customer_keys(c.name, tax_id=c.tax_id, phone=c.phone, email=c.email))
    ]
    for i in range(0, len(rows), 5000):
        connection.execute(insert(CustomerKey), rows[i : i + 5000])
    return len(rows)


# The customer columns the blocking keys are made from.
KEY_COLUMNS = ("name", "tax_id", "phone", "email")


def _keys_changed(customer: Customer) -> bool:
    state = inspect(customer)
    return any(state.attrs[c].history.has_changes() for c in KEY_COLUMNS)


@event.listens_for(Session, "after_flush")
def _reindex(session: Session, _context: Any) -> None:
    """Keep the blocking keys in step with ORM writes, whoever makes them (import, review,
    tests): a customer missing from the index could never be matched. Only customers whose
    key columns changed are rewritten (history is still there in after_flush), so that two
    transactions touching one customer do not both rewrite its keys."""
    changed = [c for c in session.new if isinstance(c, Customer) and c.customer_id]
    changed += [c for c in session.dirty if isinstance(c, Customer) and _keys_changed(c)]
    if changed:
        _write_keys(session.connection(), [customer_record(c) for c in changed])


def rebuild_index(connection: Any, batch: int = 5000) -> tuple[int, int]:
    """Rewrite every customer's blocking keys and every bill's reference key, a batch at a
    time; returns (customers, bills). For ledgers changed behind the ORM's back (bulk SQL) and
    after a change to the key scheme (``docintake ledger reindex``, migrations)."""
    customers = bills = 0
    last = ""
    while True:
        rows = connection.execute(
            select(*_CUSTOMER_COLUMNS)
            .where(Customer.customer_id > last)
            .order_by(Customer.customer_id)
            .limit(batch)
        ).all()
        if not rows:
            break
        _write_keys(connection, [CustomerRecord(*row) for row in rows])
        customers += len(rows)
        last = rows[-1][0]
    last = ""
    while True:
        rows = connection.execute(
            select(Bill.bill_id, Bill.reference, Bill.reference_key)
            .where(Bill.bill_id > last)
            .order_by(Bill.bill_id)
            .limit(batch)
        ).all()
        if not rows:
            break
        stale = [
            {"b_id": b, "key": reference_key(ref)}
            for b, ref, key in rows
            if key != reference_key(ref)
        ]
        if stale:
            connection.execute(
                update(Bill)
                .where(Bill.bill_id == bindparam("b_id"))
                .values(reference_key=bindparam("key")),
                stale,
            )
        bills += len(rows)
        last = rows[-1][0]
    return customers, bills


@event.listens_for(Session, "before_flush")
def _bill_reference_keys(session: Session, _context: Any, _instances: Any) -> None:
    for b in (*session.new, *session.dirty):
        if isinstance(b, Bill) and b.reference_key != (key := reference_key(b.reference)):
            b.reference_key = key


class SqlLedger:
    """``LedgerView`` over the database, within the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def key_counts(self, keys: Sequence[str]) -> dict[str, int]:
        if not keys:
            return {}
        rows = self.session.execute(
            select(CustomerKey.key, func.count())
            .where(CustomerKey.key.in_(list(keys)))
            .group_by(CustomerKey.key)
        )
        return {k: int(n) for k, n in rows}

    def customers_by_keys(self, keys: Sequence[str], limit: int) -> list[CustomerRecord]:
        if not keys:
            return []
        hits = func.count().label("hits")
        ranked = (
            select(CustomerKey.customer_id, hits)
            .where(CustomerKey.key.in_(list(keys)))
            .group_by(CustomerKey.customer_id)
            .order_by(hits.desc(), CustomerKey.customer_id)
            .limit(limit)
        ).subquery()
        rows = self.session.execute(
            select(*_CUSTOMER_COLUMNS)
            .join(ranked, ranked.c.customer_id == Customer.customer_id)
            .order_by(ranked.c.hits.desc(), Customer.customer_id)
        )
        return [CustomerRecord(*row) for row in rows]

    def open_bills(self, customer_ids: Sequence[str]) -> list[BillRecord]:
        if not customer_ids:
            return []
        rows = self.session.execute(
            select(*_BILL_COLUMNS)
            .where(Bill.customer_id.in_(list(customer_ids)), Bill.status.in_(OPEN_STATUSES))
            .order_by(Bill.bill_id)
        )
        return [BillRecord(*row) for row in rows]

    def bills_by_reference(self, reference_key: str) -> list[BillRecord]:
        rows = self.session.execute(
            select(*_BILL_COLUMNS)
            .where(Bill.reference_key == reference_key)  # paid ones too: see LedgerView
            .order_by(Bill.bill_id)
            .limit(20)
        )
        return [BillRecord(*row) for row in rows]

    def customers(self, customer_ids: Sequence[str]) -> list[CustomerRecord]:
        if not customer_ids:
            return []
        rows = self.session.execute(
            select(*_CUSTOMER_COLUMNS).where(Customer.customer_id.in_(list(customer_ids)))
        )
        return [CustomerRecord(*row) for row in rows]
