"""The double-review rules, in one place for the CLI and the web page.

A queued document is accepted only after approvals by two different reviewers. A correction
(fields or match) resets earlier approvals, because those reviewers approved other values.
Every change is written to the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from docintake.domain import COMMON_FIELDS, CUSTOMS_FIELDS, LIST_FIELDS, Status, parse_decimal
from docintake.exceptions import NotFoundError, ReviewError, UsageError
from storage.db import Database
from storage.models import Approval, Bill, Customer, Document, utcnow
from storage.repositories import (
    apply_payment,
    audit_document,
    audit_trail,
    change_status,
    get_document,
    runner_up,
)

APPROVALS_NEEDED = 2
MAX_REVIEWER_NAME = 120  # the width of approvals.reviewer and audit_log.actor
EDITABLE_FIELDS = frozenset(COMMON_FIELDS + CUSTOMS_FIELDS + ("vendor_tax_id",))


@dataclass(frozen=True)
class ReviewItem:
    id: int
    file: str
    document_type: str | None
    status: str
    reasons: list[str]
    approvals: list[str]
    customer_id: str | None
    bill_id: str | None
    total_amount: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "document_type": self.document_type,
            "status": self.status,
            "reasons": self.reasons,
            "approvals": self.approvals,
            "customer_id": self.customer_id,
            "bill_id": self.bill_id,
            "total_amount": self.total_amount,
        }


@dataclass(frozen=True)
class ReviewOutcome:
    document_id: int
    status: str
    approvals: list[str]
    message: str


def _item(doc: Document) -> ReviewItem:
    total = (doc.fields or {}).get("total_amount", {}).get("value")
    return ReviewItem(
        id=doc.id,
        file=doc.file_name,
        document_type=doc.document_type,
        status=doc.status,
        reasons=list(doc.reasons or []),
        approvals=[a.reviewer for a in doc.approvals],
        customer_id=doc.customer_id,
        bill_id=doc.bill_id,
        total_amount=total,
    )


def list_queue(db: Database) -> list[ReviewItem]:
    with db.session() as s:
        docs = s.scalars(
            select(Document).where(Document.status == Status.NEEDS_REVIEW).order_by(Document.id)
        )
        return [_item(d) for d in docs]


def show(db: Database, document_id: int) -> dict[str, Any]:
    with db.session() as s:
        doc = get_document(s, document_id)
        trail = audit_trail(s, "document", doc.id)
        return {
            **_item(doc).to_json(),
            "sha256": doc.sha256,
            "archive_path": doc.archive_path,
            "fields": doc.fields,
            "match": {
                "customer_id": doc.customer_id,
                "bill_id": doc.bill_id,
                "confidence": doc.match_confidence,
                "reasons": doc.match_reasons,
                "runner_up": runner_up(doc),
                "candidates": doc.match_candidates or [],
            },
            "error": doc.error,
            "duplicate_of": doc.duplicate_of_id,
            "audit": [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "field": e.field,
                    "old": e.old_value,
                    "new": e.new_value,
                }
                for e in trail
            ],
        }


def normalize_field(name: str, value: str) -> str | list[str]:
    """Check and normalise a reviewer's correction; raise UsageError with a clear message."""
    if name not in EDITABLE_FIELDS:
        raise UsageError(f"Unknown field {name!r}. Fields: {', '.join(sorted(EDITABLE_FIELDS))}.")
    value = value.strip()
    if name in LIST_FIELDS:
        return [v.strip() for v in value.split(",") if v.strip()]
    if name in ("document_date", "due_date"):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError as e:
            raise UsageError(f"{name} must be a date as YYYY-MM-DD, not {value!r}.") from e
    if name in ("total_amount", "tax_amount", "gross_weight_kg"):
        number = parse_decimal(value)
        if number is None or number < 0:
            raise UsageError(
                f"{name} must be a plain non-negative number like 123.45, not {value!r}."
            )
        return str(number)
    if name == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise UsageError(f"currency must be a 3-letter ISO 4217 code, not {value!r}.")
        return value.upper()
    return value


def parse_assignments(pairs: list[str]) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--set takes field=value, got {pair!r}.")
        name, value = pair.split("=", 1)
        out[name.strip()] = normalize_field(name.strip(), value)
    return out


def _check_reviewer(reviewer: str) -> str:
    reviewer = reviewer.strip()
    if not reviewer:
        raise UsageError("A reviewer name is required (--reviewer NAME).")
    if len(reviewer) > MAX_REVIEWER_NAME:
        raise UsageError(f"A reviewer name has at most {MAX_REVIEWER_NAME} characters.")
    return reviewer


def _waiting(doc: Document) -> None:
    if doc.status != Status.NEEDS_REVIEW:
        raise ReviewError(
            f"Document {doc.id} is {doc.status.replace('_', ' ')}, not waiting for review."
        )


def approve(
    db: Database,
    document_id: int,
    reviewer: str,
    *,
    corrections: dict[str, str | list[str]] | None = None,
    customer_id: str | None = None,
    bill_id: str | None = None,
) -> ReviewOutcome:
    reviewer = _check_reviewer(reviewer)
    corrections = corrections or {}
    with db.session() as s:
        doc = get_document(s, document_id, lock=True)
        _waiting(doc)
        if any(a.reviewer.casefold() == reviewer.casefold() for a in doc.approvals):
            raise ReviewError(
                f"{reviewer} has already approved document {doc.id}. The second approval "
                "must come from a different reviewer."
            )
        changed = _apply_corrections(s, doc, reviewer, corrections, customer_id, bill_id)
        reset = changed and bool(doc.approvals)
        if reset:
            previous = [a.reviewer for a in doc.approvals]
            audit_document(
                s,
                doc.id,
                actor=reviewer,
                action="approvals_reset",
                old=", ".join(previous),
                new=None,
            )
            doc.approvals.clear()
            s.flush()
        doc.approvals.append(Approval(reviewer=reviewer))
        try:
            s.flush()
        except IntegrityError as e:
            # The same reviewer approving twice at the same moment (unique per document).
            raise ReviewError(
                f"{reviewer} has already approved document {doc.id}. The second approval "
                "must come from a different reviewer."
            ) from e
        audit_document(s, doc.id, actor=reviewer, action="approve")
        names = [a.reviewer for a in doc.approvals]
        if len(names) < APPROVALS_NEEDED:
            note = " Earlier approvals were reset by the corrections." if reset else ""
            return ReviewOutcome(
                doc.id,
                doc.status,
                names,
                f"Approval by {reviewer} recorded; one more reviewer must approve.{note}",
            )
        _post(s, doc, reviewer)
        return ReviewOutcome(
            doc.id,
            doc.status,
            names,
            f"Document {doc.id} accepted by {' and '.join(names)}"
            + (f"; bill {doc.bill_id} updated." if doc.bill_id else "."),
        )


def reject(db: Database, document_id: int, reviewer: str, reason: str) -> ReviewOutcome:
    reviewer = _check_reviewer(reviewer)
    if not reason.strip():
        raise UsageError("A reason is required to reject (--reason TEXT).")
    with db.session() as s:
        doc = get_document(s, document_id, lock=True)
        _waiting(doc)
        change_status(s, doc, Status.REJECTED, actor=reviewer, action="reject")
        audit_document(
            s,
            doc.id,
            actor=reviewer,
            action="reject",
            field="reason",
            new=reason.strip(),
        )
        doc.reasons = [*(doc.reasons or []), f"rejected by {reviewer}: {reason.strip()}"]
        return ReviewOutcome(
            doc.id,
            doc.status,
            [a.reviewer for a in doc.approvals],
            f"Document {doc.id} rejected by {reviewer}.",
        )


def _apply_corrections(
    s: Any,
    doc: Document,
    reviewer: str,
    corrections: dict[str, str | list[str]],
    customer_id: str | None,
    bill_id: str | None,
) -> bool:
    changed = False
    fields = dict(doc.fields or {})
    for name, value in corrections.items():
        old = fields.get(name, {}).get("value")
        if old == value:
            continue
        fields[name] = {"value": value, "confidence": 1.0, "corrected_by": reviewer}
        audit_document(
            s,
            doc.id,
            actor=reviewer,
            action="correct",
            field=name,
            old=old,
            new=value,
        )
        changed = True
    doc.fields = fields  # reassign so the JSON column is marked dirty
    if customer_id is not None and customer_id != doc.customer_id:
        if s.get(Customer, customer_id) is None:
            raise NotFoundError(f"There is no customer with id {customer_id}.")
        audit_document(
            s,
            doc.id,
            actor=reviewer,
            action="correct",
            field="customer_id",
            old=doc.customer_id,
            new=customer_id,
        )
        doc.customer_id = customer_id
        if bill_id is None and doc.bill_id is not None:
            # The old bill belongs to the old customer.
            audit_document(
                s,
                doc.id,
                actor=reviewer,
                action="correct",
                field="bill_id",
                old=doc.bill_id,
                new=None,
            )
            doc.bill_id = None
        changed = True
    if bill_id is not None and bill_id != doc.bill_id:
        bill = s.get(Bill, bill_id)
        if bill is None:
            raise NotFoundError(f"There is no bill with id {bill_id}.")
        if doc.customer_id is not None and bill.customer_id != doc.customer_id:
            raise ReviewError(
                f"Bill {bill_id} belongs to customer {bill.customer_id}, not "
                f"{doc.customer_id}; pass --customer {bill.customer_id} as well if meant."
            )
        if bill.status == "paid":
            raise ReviewError(f"Bill {bill_id} is already paid.")
        currency = fields.get("currency", {}).get("value")
        if currency and bill.currency and str(currency).upper() != bill.currency.upper():
            raise ReviewError(
                f"Bill {bill_id} is in {bill.currency} but the document says {currency}; "
                f"if the document is in {bill.currency}, add --set currency={bill.currency}."
            )
        audit_document(
            s,
            doc.id,
            actor=reviewer,
            action="correct",
            field="bill_id",
            old=doc.bill_id,
            new=bill_id,
        )
        doc.bill_id = bill_id
        doc.customer_id = bill.customer_id
        changed = True
    if changed:
        doc.match_reasons = [
            *(doc.match_reasons or []),
            {"field": "reviewer", "against": reviewer, "score": 100, "note": "set by reviewer"},
        ]
    return changed


def _post(s: Any, doc: Document, actor: str) -> None:
    """Accept the document and settle its bill."""
    if doc.bill_id is not None:
        bill = s.get(Bill, doc.bill_id)
        if bill is None or bill.status == "paid":
            raise ReviewError(
                f"Bill {doc.bill_id} is no longer open; choose another with --bill or reject."
            )
        fields = doc.fields or {}
        total = fields.get("total_amount", {}).get("value")
        amount = parse_decimal(total)
        if amount is None or amount <= 0:
            raise ReviewError(
                f"Document {doc.id} has no usable total_amount ({total!r}) to settle bill "
                f"{doc.bill_id}; set it with --set total_amount=..."
            )
        currency = fields.get("currency", {}).get("value")
        if currency and bill.currency and str(currency).upper() != bill.currency.upper():
            raise ReviewError(
                f"Bill {bill.bill_id} is in {bill.currency} but the document says {currency}; "
                f"if the document is in {bill.currency}, add --set currency={bill.currency}."
            )
        apply_payment(s, doc.bill_id, amount, actor=actor)
    change_status(s, doc, Status.ACCEPTED, actor=actor, action="accept")
    doc.posted_at = utcnow()
