"""Rows the tests put in and read back: a document waiting for review, a document or bill
as it stands now. Shared by the review, web and end-to-end tests."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

from storage.db import Database
from storage.models import Bill, Document

_counter = itertools.count(1)


def add_document(
    db: Database,
    fields: dict[str, Any] | None = None,
    *,
    status: str = "needs_review",
    customer_id: str | None = "C1",
    bill_id: str | None = "B1",
    document_type: str = "receipt",
    file_name: str | None = None,
    reasons: list[str] | None = None,
    archive_path: Path | None = None,
    candidates: list[dict[str, Any]] | None = None,
    checks: list[dict[str, Any]] | None = None,
) -> int:
    """Insert a document and return its id. ``fields`` maps name -> value (confidence 0.5)
    or name -> {"value": ..., "confidence": ...}."""
    n = next(_counter)
    raw = fields if fields is not None else {"total_amount": "60.30"}
    stored = {
        k: v if isinstance(v, dict) else {"value": v, "confidence": 0.5} for k, v in raw.items()
    }
    with db.session() as s:
        doc = Document(
            sha256=hashlib.sha256(f"doc-{n}-{file_name}".encode()).hexdigest(),
            file_name=file_name or f"doc-{n}.png",
            source_path=f"/nowhere/doc-{n}.png",
            archive_path=str(archive_path) if archive_path else None,
            file_kind="jpeg" if archive_path else None,
            size_bytes=archive_path.stat().st_size if archive_path else 1234,
            status=status,
            document_type=document_type,
            type_confidence=0.9,
            fields=stored,
            reasons=reasons if reasons is not None else ["low confidence in total_amount"],
            customer_id=customer_id,
            bill_id=bill_id,
            match_confidence=0.6,
            match_reasons=[],
            match_candidates=candidates or [],
            checks=checks or [],
        )
        s.add(doc)
        s.flush()
        return doc.id


def load_document(db: Database, doc_id: int) -> Document:
    with db.session() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        _ = list(doc.approvals)  # load while the session is open
        return doc


def load_bill(db: Database, bill_id: str) -> Bill:
    with db.session() as s:
        bill = s.get(Bill, bill_id)
        assert bill is not None
        return bill
