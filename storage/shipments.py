"""The papers of a shipment, found through the references they share. Callers own the session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from docintake.domain import Check, DocumentType, FieldValue, Status
from matching.shipments import (
    ShipmentDocument,
    compare_shipment,
    references,
    shipment_groups,
)
from storage.models import Document, DocumentReference
from storage.repositories import get_document

# Papers in these states are not part of any shipment (a copy, or thrown out).
_LEFT_OUT = (Status.DUPLICATE.value, Status.REJECTED.value, Status.FAILED.value)
# A container number is reused for years: stop following links before a whole fleet's
# history is loaded. A real shipment has a handful of papers.
MAX_RELATED = 50


def _document_type(value: str | None) -> DocumentType:
    try:
        return DocumentType(value or DocumentType.UNKNOWN.value)
    except ValueError:
        return DocumentType.UNKNOWN


def record_references(session: Session, document_id: int, fields: Mapping[str, FieldValue]) -> int:
    """Replace the document's references with those ``fields`` give; returns how many.

    The document's type (already set on its row) says which numbers are references; only
    trade papers have any (an ordinary invoice's order number ties no shipment together).
    """
    doc = get_document(session, document_id)
    session.execute(delete(DocumentReference).where(DocumentReference.document_id == document_id))
    doc_type = _document_type(doc.document_type)
    refs = references(doc_type, fields) if doc_type.is_trade else set()
    session.add_all(
        DocumentReference(document_id=document_id, kind=r.kind, value=r.value)
        for r in sorted(refs, key=lambda r: (r.kind, r.value))
    )
    session.flush()
    return len(refs)


def stored_fields(fields: Mapping[str, Any] | None) -> dict[str, FieldValue]:
    """A document's stored fields JSON back as field values (lists and tables as tuples)."""
    out: dict[str, FieldValue] = {}
    for name, entry in (fields or {}).items():
        if not isinstance(entry, Mapping) or entry.get("value") is None:
            continue
        value = entry["value"]
        confidence = float(entry.get("confidence") or 0.0)
        if isinstance(value, list):
            if all(isinstance(v, Mapping) for v in value):
                rows = tuple({str(k): str(v) for k, v in row.items()} for row in value)
                out[name] = FieldValue(rows, confidence)
            else:
                out[name] = FieldValue(tuple(str(v) for v in value), confidence)
        else:
            out[name] = FieldValue(str(value), confidence)
    return out


def _shipment_document(doc: Document) -> ShipmentDocument:
    return ShipmentDocument(
        id=doc.id,
        document_type=_document_type(doc.document_type),
        fields=stored_fields(doc.fields),
        name=doc.file_name,
    )


def _linked_ids(session: Session, document_id: int) -> list[int]:
    """Documents reachable from this one through shared references, nearest first."""
    seen = [document_id]
    frontier = [document_id]
    while frontier and len(seen) < MAX_RELATED:
        refs = session.execute(
            select(DocumentReference.kind, DocumentReference.value).where(
                DocumentReference.document_id.in_(frontier)
            )
        ).all()
        if not refs:
            break
        pairs = list({(kind, value) for kind, value in refs})
        found = session.scalars(
            select(DocumentReference.document_id)
            .join(Document, Document.id == DocumentReference.document_id)
            .where(
                tuple_(DocumentReference.kind, DocumentReference.value).in_(pairs),
                DocumentReference.document_id.not_in(seen),
                Document.status.not_in(_LEFT_OUT),
            )
            .distinct()
            .order_by(DocumentReference.document_id)
            .limit(MAX_RELATED - len(seen))
        ).all()
        frontier = list(found)
        seen.extend(frontier)
    return seen


def related_documents(session: Session, document_id: int) -> list[ShipmentDocument]:
    """The other papers of this document's shipment (sharing a reference, directly or
    through each other, and dated close enough to it)."""
    ids = _linked_ids(session, document_id)
    if len(ids) < 2:
        return []
    rows = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
    docs = [_shipment_document(rows[i]) for i in ids if i in rows]
    for group in shipment_groups(docs):
        if any(d.id == document_id for d in group.documents):
            return [d for d in group.documents if d.id != document_id]
    return []


def shipment_checks(session: Session, document_id: int) -> tuple[Check, ...]:
    """This document compared with the other papers of its shipment; () when it has none."""
    related = related_documents(session, document_id)
    if not related:
        return ()
    own = _shipment_document(get_document(session, document_id))
    return compare_shipment([own, *related])
