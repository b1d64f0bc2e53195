"""Queries and writes the pipeline and the review service share. Callers own the session."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docintake.domain import Status, parse_decimal
from docintake.exceptions import NotFoundError
from matching.bills import BillTerms
from storage.models import AuditEntry, Bill, Document, utcnow


def get_document(session: Session, document_id: int, *, lock: bool = False) -> Document:
    stmt = select(Document).where(Document.id == document_id)
    if lock:
        stmt = stmt.with_for_update()
    doc = session.scalars(stmt).first()
    if doc is None:
        raise NotFoundError(f"There is no document with id {document_id}.")
    return doc


def find_original(session: Session, sha256: str) -> Document | None:
    return session.scalars(
        select(Document).where(Document.sha256 == sha256, Document.duplicate_of_id.is_(None))
    ).first()


def audit(
    session: Session,
    *,
    actor: str,
    entity: str,
    entity_id: str | int,
    action: str,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    at: datetime | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=at or utcnow(),
            actor=actor,
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            field=field,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
        )
    )


def audit_document(
    session: Session,
    document_id: int,
    *,
    actor: str,
    action: str,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> None:
    audit(
        session,
        actor=actor,
        entity="document",
        entity_id=document_id,
        action=action,
        field=field,
        old=old,
        new=new,
    )


def change_status(session: Session, doc: Document, new: Status, *, actor: str, action: str) -> None:
    """Move a document to ``new`` and record the move in the audit log."""
    old = doc.status
    doc.status = new.value
    audit_document(
        session, doc.id, actor=actor, action=action, field="status", old=old, new=new.value
    )


CASH_ROUNDING = BillTerms().rounding


def apply_payment(session: Session, bill_id: str, amount: Decimal, *, actor: str) -> Bill:
    """Settle ``amount`` against a bill: paid when nothing remains, else partial."""
    bill = session.scalars(select(Bill).where(Bill.bill_id == bill_id).with_for_update()).first()
    if bill is None:
        raise NotFoundError(f"There is no bill with id {bill_id}.")
    old_status, old_remaining = bill.status, bill.amount_remaining
    if amount != bill.amount_remaining and abs(amount - bill.amount_remaining) <= CASH_ROUNDING:
        # A till's cash rounding (to 5 sen) settles the bill, in either direction: neither a
        # 0.02 debt nor a 0.02 "overpayment" is real.
        audit(
            session,
            actor=actor,
            entity="bill",
            entity_id=bill_id,
            action="rounding",
            field="amount",
            old=bill.amount_remaining,
            new=amount,
        )
        amount = bill.amount_remaining
    if amount > bill.amount_remaining:
        # Paying more than is owed settles the bill; the excess is kept on record.
        audit(
            session,
            actor=actor,
            entity="bill",
            entity_id=bill_id,
            action="overpayment",
            field="amount",
            old=bill.amount_remaining,
            new=amount,
        )
    remaining = max(Decimal("0.00"), bill.amount_remaining - amount)
    bill.amount_remaining = remaining
    bill.status = "paid" if remaining == 0 else "partial"
    bill.updated_at = utcnow()
    audit(
        session,
        actor=actor,
        entity="bill",
        entity_id=bill_id,
        action="payment",
        field="amount_remaining",
        old=old_remaining,
        new=remaining,
    )
    audit(
        session,
        actor=actor,
        entity="bill",
        entity_id=bill_id,
        action="payment",
        field="status",
        old=old_status,
        new=bill.status,
    )
    return bill


def audit_trail(session: Session, entity: str, entity_id: str | int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.id)
        )
    )


def runner_up(doc: Document) -> dict[str, Any] | None:
    """The matcher's second-best answer, as stored (``MatchResult.runner_up``)."""
    candidates = doc.match_candidates or []
    return dict(candidates[1]) if len(candidates) > 1 else None


def stored_value(fields: Any, name: str) -> Any:
    """The value of field ``name`` in a document's stored fields JSON, or None."""
    entry = (fields or {}).get(name)
    return entry.get("value") if isinstance(entry, dict) else None


@dataclass(frozen=True)
class BillPayments:
    settled: dict[str, Decimal]  # bill id -> paid off it by documents
    overpaid: dict[str, Decimal]  # bill id -> paid beyond what was owed


def bill_payments(session: Session, bill_ids: Sequence[str] | None = None) -> BillPayments:
    """What documents paid on each bill, read back from the audit entries ``apply_payment``
    writes: "payment" on amount_remaining (old and new remaining), "overpayment" (old = what
    was owed, new = the payment)."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity == "bill", AuditEntry.action.in_(("overpayment", "payment")))
        .order_by(AuditEntry.id)
    )
    if bill_ids is not None:
        stmt = stmt.where(AuditEntry.entity_id.in_(list(bill_ids)))
    settled: dict[str, Decimal] = defaultdict(Decimal)
    overpaid: dict[str, Decimal] = defaultdict(Decimal)
    for e in session.scalars(stmt):
        old, new = parse_decimal(e.old_value), parse_decimal(e.new_value)
        if old is None or new is None:
            continue
        if e.action == "overpayment":
            overpaid[e.entity_id] += new - old
        elif e.field == "amount_remaining":
            settled[e.entity_id] += old - new
    return BillPayments(dict(settled), dict(overpaid))
