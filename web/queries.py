"""Read-only look-ups for the pages (names, ages, a customer's account). The review rules
stay in ``docintake.review``; nothing here changes data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from docintake import review
from docintake.accounts import Account, Role
from docintake.domain import Status, parse_decimal
from docintake.exceptions import NotFoundError, UsageError
from storage.db import Database
from storage.models import Bill, Customer, Document
from storage.repositories import bill_payments, get_document, stored_value

SORTS = ("age", "total")
ORDERS = ("desc", "asc")
# Documents whose bill was settled by them (as in the reports' customer history).
POSTED = (Status.ACCEPTED.value, Status.AUTO_ACCEPTED.value)


def _aware(at: datetime) -> datetime:
    # SQLite gives back naive datetimes; everything is stored in UTC.
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass(frozen=True)
class QueueRow:
    item: review.ReviewItem
    vendor: str | None
    customer_name: str | None
    created_at: datetime
    age: timedelta

    @property
    def total(self) -> Decimal | None:
        return parse_decimal(self.item.total_amount)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.item.to_json(),
            "vendor_name": self.vendor,
            "customer_name": self.customer_name,
            "created_at": self.created_at.isoformat(),
            "age_hours": round(self.age.total_seconds() / 3600, 1),
        }


def queue_rows(
    db: Database,
    *,
    stage: str | None = None,
    document_type: str | None = None,
    sort: str = "age",
    order: str = "desc",
) -> list[QueueRow]:
    """``review.list_queue`` with what the queue page shows beside it, filtered and sorted."""
    if sort not in SORTS:
        raise UsageError(f"Unknown sort {sort!r}: one of {', '.join(SORTS)}.")
    if order not in ORDERS:
        raise UsageError(f"Unknown order {order!r}: one of {', '.join(ORDERS)}.")
    items = review.list_queue(db, stage or None)
    if document_type:
        items = [i for i in items if i.document_type == document_type]
    ids = [i.id for i in items]
    now = datetime.now(UTC)
    with db.session() as s:
        extra = {
            r.id: (stored_value(r.fields, "vendor_name"), _aware(r.created_at))
            for r in s.execute(
                select(Document.id, Document.fields, Document.created_at).where(
                    Document.id.in_(ids)
                )
            )
        }
    names = customer_names(db, {i.customer_id for i in items if i.customer_id})
    rows = []
    for item in items:
        vendor, created = extra.get(item.id, (None, now))
        rows.append(
            QueueRow(
                item,
                None if vendor is None else str(vendor),
                names.get(item.customer_id or ""),
                created,
                now - created,
            )
        )
    if sort == "total":
        # Documents without a readable total go last either way.
        known = [r for r in rows if r.total is not None]
        unknown = [r for r in rows if r.total is None]
        known.sort(key=lambda r: r.total or Decimal(0), reverse=order == "desc")
        return known + unknown
    rows.sort(key=lambda r: (r.created_at, r.item.id), reverse=order == "asc")
    return rows


def can_act(item: review.ReviewItem, account: Account) -> bool:
    """Whether this person can decide the item now (so "next" does not offer dead ends)."""
    if account.name.casefold() in {a.casefold() for a in item.approvals}:
        return False  # approved already, or reviewed an escalated one (cannot resolve it)
    return item.stage != "escalated" or account.role == Role.ADMIN


def next_document(db: Database, after_id: int, account: Account) -> int | None:
    """The next queued document (by id, wrapping round) this person can act on."""
    ids = [i.id for i in review.list_queue(db) if i.id != after_id and can_act(i, account)]
    later = [i for i in ids if i > after_id]
    return (later or ids)[0] if ids else None


def document_status(db: Database, document_id: int) -> str:
    with db.session() as s:
        return get_document(s, document_id).status


def customer_names(db: Database, ids: set[str]) -> dict[str, str]:
    with db.session() as s:
        rows = s.execute(
            select(Customer.customer_id, Customer.name).where(Customer.customer_id.in_(ids))
        )
        return {cid: name for cid, name in rows}


def document_file(db: Database, document_id: int) -> tuple[str | None, str | None, str]:
    """(archive path, file kind, file name) of a document."""
    with db.session() as s:
        doc = get_document(s, document_id)
        return doc.archive_path, doc.file_kind, doc.file_name


def customer_overview(db: Database, customer_id: str) -> dict[str, Any]:
    """A customer's documents, bills, payments and balance (the reports' definitions)."""
    with db.session() as s:
        customer = s.get(Customer, customer_id)
        if customer is None:
            raise NotFoundError(f"There is no customer with id {customer_id}.")
        bills = list(
            s.scalars(select(Bill).where(Bill.customer_id == customer_id).order_by(Bill.bill_id))
        )
        docs = list(
            s.execute(
                select(
                    Document.id,
                    Document.file_name,
                    Document.status,
                    Document.document_type,
                    Document.bill_id,
                    Document.fields,
                    Document.created_at,
                    Document.posted_at,
                )
                .where(Document.customer_id == customer_id)
                .order_by(Document.id.desc())
            )
        )
        bill_ids = [b.bill_id for b in bills]
        settled = bill_payments(s, bill_ids).settled
        balance: dict[str, Decimal] = defaultdict(Decimal)
        bill_rows = []
        for b in bills:
            if b.status in ("open", "partial"):
                balance[b.currency or ""] += b.amount_remaining
            bill_rows.append(
                {
                    "bill_id": b.bill_id,
                    "reference": b.reference,
                    "issue_date": b.issue_date,
                    "due_date": b.due_date,
                    "currency": b.currency,
                    "amount": b.amount,
                    "amount_remaining": b.amount_remaining,
                    "settled": settled.get(b.bill_id, Decimal(0)),
                    "status": b.status,
                }
            )
        documents = [
            {
                "id": d.id,
                "file": d.file_name,
                "status": d.status,
                "document_type": d.document_type,
                "bill_id": d.bill_id,
                "total_amount": stored_value(d.fields, "total_amount"),
                "currency": stored_value(d.fields, "currency"),
                "created_at": _aware(d.created_at),
                "posted_at": None if d.posted_at is None else _aware(d.posted_at),
            }
            for d in docs
        ]
        return {
            "customer": {
                "customer_id": customer.customer_id,
                "name": customer.name,
                "address": customer.address,
                "tax_id": customer.tax_id,
                "email": customer.email,
                "phone": customer.phone,
            },
            "bills": bill_rows,
            "documents": documents,
            "payments": [d for d in documents if d["status"] in POSTED and d["bill_id"]],
            "balance": dict(sorted(balance.items())),
        }


def recent_documents(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    """The latest documents and where they stand, for the people who upload them."""
    with db.session() as s:
        rows = s.execute(
            select(
                Document.id,
                Document.file_name,
                Document.status,
                Document.document_type,
                Document.error,
                Document.created_at,
            )
            .order_by(Document.id.desc())
            .limit(limit)
        )
        return [
            {
                "id": r.id,
                "file": r.file_name,
                "status": r.status,
                "document_type": r.document_type,
                "error": r.error,
                "created_at": _aware(r.created_at),
            }
            for r in rows
        ]
