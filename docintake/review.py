"""The double-review rules, in one place for the CLI, the web page and the REST API.

A queued document is accepted only after approvals by two different reviewers, and the second
review is blind: every reviewer sees the machine's values, never another reviewer's edits.
Each approval stores the reviewer's whole version (machine values plus their corrections); the
document keeps the machine's values until a decision. Two equal versions are applied and
posted; two different ones send the document to an admin (``escalated``), who picks one of
them or gives their own (``resolve``). Every change is written to the audit log.

Roles are the caller's business: this module takes names. The CLI and the web layer must check
with ``docintake.accounts`` that whoever calls ``resolve`` (or rejects an escalated document,
or asks for ``show(..., for_role="admin")``) is an admin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from docintake.domain import (
    ALL_FIELDS,
    LIST_FIELDS,
    TABLE_FIELDS,
    Status,
    parse_decimal,
)
from docintake.domain import AMOUNT_FIELDS as _MONEY_FIELDS
from docintake.domain import DATE_FIELDS as _DATE_FIELDS
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
from storage.shipments import record_references, stored_fields

APPROVALS_NEEDED = 2
MAX_REVIEWER_NAME = 120  # the width of approvals.reviewer and audit_log.actor
# Tables (line items) are shown to the reviewer but corrected in the source system.
EDITABLE_FIELDS = frozenset(ALL_FIELDS) - TABLE_FIELDS
# Compared and checked as plain non-negative numbers.
AMOUNT_FIELDS = _MONEY_FIELDS | {"gross_weight_kg", "net_weight_kg"}
DATE_FIELDS = _DATE_FIELDS
MATCH_KEYS = ("customer_id", "bill_id")
STAGES = ("first", "second", "escalated")
IN_REVIEW = (Status.NEEDS_REVIEW, Status.ESCALATED)

# A version: {"fields": {name: value}, "customer_id": str | None, "bill_id": str | None}.
Version = dict[str, Any]


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
    stage: str | None = None  # first | second | escalated; None once out of review

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "document_type": self.document_type,
            "status": self.status,
            "stage": self.stage,
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
    # Fields (and customer_id / bill_id) on which the two versions differ, when escalated.
    differences: list[str] = field(default_factory=list)


def _stage(doc: Document) -> str | None:
    if doc.status == Status.ESCALATED:
        return "escalated"
    if doc.status == Status.NEEDS_REVIEW:
        return "second" if doc.approvals else "first"
    return None


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
        stage=_stage(doc),
    )


def list_queue(db: Database, stage: str | None = None) -> list[ReviewItem]:
    """Documents waiting for a first review, a second review or an admin; ``stage`` filters."""
    if stage is not None and stage not in STAGES:
        raise UsageError(f"Unknown stage {stage!r}. Stages: {', '.join(STAGES)}.")
    with db.session() as s:
        docs = s.scalars(
            select(Document)
            .where(Document.status.in_([st.value for st in IN_REVIEW]))
            .options(selectinload(Document.approvals))
            .order_by(Document.id)
        )
        items = [_item(d) for d in docs]
    return [i for i in items if stage is None or i.stage == stage]


# ---- versions ---------------------------------------------------------------------------------


def _comparable(name: str, value: Any) -> Any:
    """The form two reviewers' values are compared in: amounts as decimals, dates as dates,
    text with single spaces and without case, lists item by item."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list | tuple):
        return tuple(_comparable(name, v) for v in value)
    text = " ".join(str(value).split())
    if name in AMOUNT_FIELDS:
        number = parse_decimal(text)
        if number is not None:
            return number
    if name in DATE_FIELDS:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return text.casefold()


def _same(name: str, a: Any, b: Any) -> bool:
    return bool(_comparable(name, a) == _comparable(name, b))


def differences(a: Version, b: Version) -> list[str]:
    """Names of the fields, then ``customer_id``/``bill_id``, on which two versions differ."""
    fa, fb = a.get("fields") or {}, b.get("fields") or {}
    names = [n for n in sorted(set(fa) | set(fb)) if not _same(n, fa.get(n), fb.get(n))]
    return names + [k for k in MATCH_KEYS if a.get(k) != b.get(k)]


def _machine_fields(doc: Document) -> dict[str, dict[str, Any]]:
    """The machine's fields: the document's own, or what a decision replaced (kept in it)."""
    out = {}
    for name, fv in (doc.fields or {}).items():
        original = fv.get("machine", fv)
        out[name] = {"value": original.get("value"), "confidence": original.get("confidence")}
    return out


def _machine_version(doc: Document, trail: list[Any] | None = None) -> Version:
    customer_id, bill_id = doc.customer_id, doc.bill_id
    # After a decision the match is the agreed one; the "apply" entries keep what it replaced.
    applied = {e.field: e.old_value for e in reversed(trail or []) if e.action == "apply"}
    customer_id = applied.get("customer_id", customer_id)
    bill_id = applied.get("bill_id", bill_id)
    return {
        "fields": {n: fv["value"] for n, fv in _machine_fields(doc).items()},
        "customer_id": customer_id,
        "bill_id": bill_id,
    }


def _version_of(doc: Document, approval: Approval) -> Version:
    # Approvals from before blind review (no stored version) approved the document as it was.
    return approval.version or _machine_version(doc)


def _build_version(
    s: Any,
    doc: Document,
    reviewer: str,
    corrections: dict[str, str | list[str]],
    customer_id: str | None,
    bill_id: str | None,
) -> Version:
    """The machine's values with this reviewer's corrections, checked and audited.

    The document itself is not changed: the next reviewer must see the machine's values.
    """
    machine = _machine_version(doc)
    fields = dict(machine["fields"])
    version: Version = {"fields": fields, **{k: machine[k] for k in MATCH_KEYS}}

    def correct(name: str, old: Any, new: Any) -> None:
        audit_document(s, doc.id, actor=reviewer, action="correct", field=name, old=old, new=new)

    for name, value in corrections.items():
        if fields.get(name) == value:
            continue
        correct(name, fields.get(name), value)
        fields[name] = value
    if customer_id is not None and customer_id != version["customer_id"]:
        if s.get(Customer, customer_id) is None:
            raise NotFoundError(f"There is no customer with id {customer_id}.")
        correct("customer_id", version["customer_id"], customer_id)
        version["customer_id"] = customer_id
        if bill_id is None and version["bill_id"] is not None:
            # The old bill belongs to the old customer.
            correct("bill_id", version["bill_id"], None)
            version["bill_id"] = None
    if bill_id is not None and bill_id != version["bill_id"]:
        bill = s.get(Bill, bill_id)
        if bill is None:
            raise NotFoundError(f"There is no bill with id {bill_id}.")
        owner = version["customer_id"]
        if owner is not None and bill.customer_id != owner:
            raise ReviewError(
                f"Bill {bill_id} belongs to customer {bill.customer_id}, not "
                f"{owner}; pass --customer {bill.customer_id} as well if meant."
            )
        if bill.status == "paid":
            raise ReviewError(f"Bill {bill_id} is already paid.")
        currency = fields.get("currency")
        if currency and bill.currency and str(currency).upper() != bill.currency.upper():
            raise ReviewError(
                f"Bill {bill_id} is in {bill.currency} but the document says {currency}; "
                f"if the document is in {bill.currency}, add --set currency={bill.currency}."
            )
        correct("bill_id", version["bill_id"], bill_id)
        version["bill_id"] = bill_id
        version["customer_id"] = bill.customer_id
    return version


def _apply(s: Any, doc: Document, versions: list[tuple[str, Version]], actor: str) -> None:
    """Write the decided version onto the document; ``versions``: (author, version) pairs that
    agree, the first one's spelling winning unless only a later one corrected the field."""
    machine = _machine_version(doc)
    fields = dict(doc.fields or {})
    names = sorted({n for _, v in versions for n in v["fields"]})
    for name in names:
        old = machine["fields"].get(name)
        correctors = [(who, v["fields"].get(name)) for who, v in versions]
        correctors = [(who, value) for who, value in correctors if value != old]
        if not correctors:
            continue
        value = correctors[0][1]
        previous = fields.get(name) or {"value": None, "confidence": None}
        fields[name] = {
            "value": value,
            "confidence": 1.0,
            "corrected_by": ", ".join(who for who, _ in correctors),
            # What the machine read stays on record (and in ``show``'s "machine").
            "machine": {"value": previous.get("value"), "confidence": previous.get("confidence")},
        }
        audit_document(s, doc.id, actor=actor, action="apply", field=name, old=old, new=value)
    doc.fields = fields  # reassign so the JSON column is marked dirty
    # A corrected B/L, invoice or container number moves the paper to its right shipment.
    record_references(s, doc.id, stored_fields(fields))
    decided = versions[0][1]
    changed = [k for k in MATCH_KEYS if decided[k] != getattr(doc, k)]
    for key in changed:
        audit_document(
            s,
            doc.id,
            actor=actor,
            action="apply",
            field=key,
            old=getattr(doc, key),
            new=decided[key],
        )
        setattr(doc, key, decided[key])
    if changed:
        doc.match_reasons = [
            *(doc.match_reasons or []),
            {
                "field": "reviewer",
                "against": ", ".join(who for who, _ in versions),
                "score": 100,
                "note": "set by reviewer",
            },
        ]


# ---- show -------------------------------------------------------------------------------------


def show(
    db: Database, document_id: int, *, for_role: str = "reviewer", viewer: str | None = None
) -> dict[str, Any]:
    """One document for a person to decide on.

    ``machine`` is what every reviewer is shown. Reviewers' versions (and their corrections
    in the audit log) stay hidden while the document waits for review, from everyone: an
    admin may be its second reviewer. Once escalated or decided, ``for_role="admin"`` shows
    every version and ``comparison``, the versions side by side with the differences marked.
    ``viewer`` always sees their own version. The caller checks the role.
    """
    with db.session() as s:
        doc = get_document(s, document_id)
        trail = audit_trail(s, "document", doc.id)
        open_all = for_role == "admin" and doc.status != Status.NEEDS_REVIEW
        me = (viewer or "").strip().casefold()
        machine = _machine_version(doc, trail)
        versions = []
        for n, a in enumerate(doc.approvals, start=1):
            if not (open_all or (me and a.reviewer.casefold() == me)):
                continue
            version = _version_of(doc, a)
            versions.append(
                {
                    "index": n,
                    "reviewer": a.reviewer,
                    "at": a.created_at.isoformat(),
                    "version": version,
                    "differences": differences(machine, version),
                }
            )
        shown = {
            a.reviewer.casefold() for a in doc.approvals if open_all or a.reviewer.casefold() == me
        }
        hidden = {a.reviewer.casefold() for a in doc.approvals} - shown
        # Another reviewer's corrections would tell the second reviewer what the first one saw.
        visible = [e for e in trail if not (e.action == "correct" and e.actor.casefold() in hidden)]
        return {
            **_item(doc).to_json(),
            "sha256": doc.sha256,
            "archive_path": doc.archive_path,
            "fields": doc.fields,
            "checks": doc.checks or [],
            "field_source": doc.field_source,
            "machine": {
                "fields": _machine_fields(doc),
                "customer_id": machine["customer_id"],
                "bill_id": machine["bill_id"],
            },
            "versions": versions,
            "comparison": _comparison(machine, versions) if len(versions) > 1 else [],
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
                for e in visible
            ],
        }


def _comparison(machine: Version, versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per field, then customer and bill: the machine's value, each version's, and
    whether the versions differ."""
    shown = [v["version"] for v in versions]
    names = sorted(set(machine["fields"]).union(*(set(v["fields"]) for v in shown)))
    rows = []
    for name in names:
        values = [v["fields"].get(name) for v in shown]
        rows.append(
            {
                "field": name,
                "machine": machine["fields"].get(name),
                "versions": values,
                "differs": any(not _same(name, values[0], x) for x in values[1:]),
            }
        )
    for key in MATCH_KEYS:
        values = [v.get(key) for v in shown]
        rows.append(
            {
                "field": key,
                "machine": machine.get(key),
                "versions": values,
                "differs": len(set(values)) > 1,
            }
        )
    return rows


# ---- corrections ------------------------------------------------------------------------------


def normalize_field(name: str, value: str) -> str | list[str]:
    """Check and normalise a reviewer's correction; raise UsageError with a clear message."""
    if name not in EDITABLE_FIELDS:
        raise UsageError(f"Unknown field {name!r}. Fields: {', '.join(sorted(EDITABLE_FIELDS))}.")
    value = value.strip()
    if name in LIST_FIELDS:
        return [v.strip() for v in value.split(",") if v.strip()]
    if name in DATE_FIELDS:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError as e:
            raise UsageError(f"{name} must be a date as YYYY-MM-DD, not {value!r}.") from e
    if name in AMOUNT_FIELDS:
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


# ---- decisions --------------------------------------------------------------------------------


def _check_name(name: str, flag: str = "--reviewer") -> str:
    name = name.strip()
    if not name:
        raise UsageError(f"A name is required ({flag} NAME).")
    if len(name) > MAX_REVIEWER_NAME:
        raise UsageError(f"A name has at most {MAX_REVIEWER_NAME} characters.")
    return name


def _not_waiting(doc: Document) -> ReviewError:
    message = f"Document {doc.id} is {doc.status.replace('_', ' ')}, not waiting for review."
    if doc.status == Status.ESCALATED:
        message += f" Its reviewers disagreed; an admin decides (review resolve {doc.id})."
    return ReviewError(message)


def _twice(reviewer: str, doc: Document) -> ReviewError:
    # The REST API answers this with 409.
    return ReviewError(
        f"{reviewer} has already approved document {doc.id}. The second approval must come "
        "from a different reviewer."
    )


def _accepted(doc: Document, names: list[str], how: str = "") -> str:
    bill = f"; bill {doc.bill_id} updated." if doc.bill_id else "."
    return f"Document {doc.id} accepted{how} by {' and '.join(names)}{bill}"


def approve(
    db: Database,
    document_id: int,
    reviewer: str,
    *,
    corrections: dict[str, str | list[str]] | None = None,
    customer_id: str | None = None,
    bill_id: str | None = None,
) -> ReviewOutcome:
    """Record ``reviewer``'s version; the second one posts the document or escalates it."""
    reviewer = _check_name(reviewer)
    with db.session() as s:
        doc = get_document(s, document_id, lock=True)
        if doc.status != Status.NEEDS_REVIEW:
            raise _not_waiting(doc)
        if any(a.reviewer.casefold() == reviewer.casefold() for a in doc.approvals):
            raise _twice(reviewer, doc)
        version = _build_version(s, doc, reviewer, corrections or {}, customer_id, bill_id)
        doc.approvals.append(Approval(reviewer=reviewer, version=version))
        try:
            s.flush()
        except IntegrityError as e:
            # The same reviewer approving twice at the same moment (unique per document).
            raise _twice(reviewer, doc) from e
        audit_document(s, doc.id, actor=reviewer, action="approve")
        names = [a.reviewer for a in doc.approvals]
        if len(names) < APPROVALS_NEEDED:
            return ReviewOutcome(
                doc.id,
                doc.status,
                names,
                f"Approval by {reviewer} recorded; one more reviewer must approve. Document "
                f"{doc.id} waits for a second review, blind: that reviewer sees the "
                "machine's values, not yours.",
            )
        first = doc.approvals[0]
        pair = [(first.reviewer, _version_of(doc, first)), (reviewer, version)]
        diff = differences(pair[0][1], version)
        if diff:
            change_status(s, doc, Status.ESCALATED, actor=reviewer, action="escalate")
            audit_document(
                s,
                doc.id,
                actor=reviewer,
                action="escalate",
                field="differences",
                new=", ".join(diff),
            )
            return ReviewOutcome(
                doc.id,
                doc.status,
                names,
                f"{' and '.join(names)} disagree on {', '.join(diff)}; document {doc.id} "
                f"is escalated to an admin (review show {doc.id}, review resolve {doc.id}).",
                diff,
            )
        _apply(s, doc, pair, reviewer)
        _post(s, doc, reviewer)
        return ReviewOutcome(doc.id, doc.status, names, _accepted(doc, names))


def resolve(
    db: Database,
    document_id: int,
    admin: str,
    *,
    choose: int | None = None,
    corrections: dict[str, str | list[str]] | None = None,
    customer_id: str | None = None,
    bill_id: str | None = None,
) -> ReviewOutcome:
    """An admin decides an escalated document: version ``choose`` (1 or 2, in approval order)
    or their own (``corrections``/``customer_id``/``bill_id`` on the machine's values); it is
    applied and posted. The caller must check that ``admin`` has the admin role."""
    admin = _check_name(admin, "--admin")
    own = bool(corrections) or customer_id is not None or bill_id is not None
    if (choose is None) == (not own):
        raise UsageError(
            "Choose a reviewer's version (--choose 1 or 2) or give your own "
            "(--set field=value, --customer, --bill), not both."
        )
    with db.session() as s:
        doc = get_document(s, document_id, lock=True)
        if doc.status != Status.ESCALATED:
            raise ReviewError(
                f"Document {doc.id} is {doc.status.replace('_', ' ')}, not escalated; "
                "only escalated documents are resolved."
            )
        names = [a.reviewer for a in doc.approvals]
        if admin.casefold() in {n.casefold() for n in names}:
            # Otherwise one person's version would win over the other reviewer's alone.
            raise ReviewError(f"{admin} reviewed document {doc.id}; another admin must resolve it.")
        if choose is not None:
            if not 1 <= choose <= len(doc.approvals):
                raise UsageError(
                    f"--choose takes 1 to {len(doc.approvals)} (the approvals in order)."
                )
            chosen = doc.approvals[choose - 1]
            author, version = chosen.reviewer, _version_of(doc, chosen)
            picked = f"version {choose} ({author})"
        else:
            version = _build_version(s, doc, admin, corrections or {}, customer_id, bill_id)
            author, picked = admin, "the admin's own version"
        audit_document(s, doc.id, actor=admin, action="resolve", field="version", new=picked)
        _apply(s, doc, [(author, version)], admin)
        _post(s, doc, admin)
        return ReviewOutcome(doc.id, doc.status, names, _accepted(doc, [admin], f" with {picked}"))


def reject(db: Database, document_id: int, reviewer: str, reason: str) -> ReviewOutcome:
    """End the review of a waiting or escalated document (for escalated ones the caller
    checks the admin role)."""
    reviewer = _check_name(reviewer)
    if not reason.strip():
        raise UsageError("A reason is required to reject (--reason TEXT).")
    with db.session() as s:
        doc = get_document(s, document_id, lock=True)
        if doc.status not in IN_REVIEW:
            raise _not_waiting(doc)
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
