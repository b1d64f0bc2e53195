"""SQLAlchemy 2.0 typed models. Schema changes go through Alembic (storage/migrations)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Customer(Base):
    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    bills: Mapped[list[Bill]] = relationship(back_populates="customer")


class CustomerKey(Base):
    """Blocking keys (name tokens, tax id, phone, email domain) from ``matching.keys``.

    Matching looks customers up by these instead of scanning the whole ledger per document.
    """

    __tablename__ = "customer_keys"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.customer_id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Bill(Base):
    __tablename__ = "bills"
    # Matching reads a customer's open bills; the reference lookup finds a bill by its number.
    __table_args__ = (Index("ix_bills_customer_status", "customer_id", "status"),)

    bill_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(120))
    # The reference as ``matching.normalize.normalize_id`` writes it, for exact lookups.
    reference_key: Mapped[str | None] = mapped_column(String(120), index=True)
    issue_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # What is still owed: equals amount while open, less after a partial payment, 0 when paid.
    amount_remaining: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | partial | paid
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="bills")


class Document(Base):
    __tablename__ = "documents"
    # At most one original per content hash; exact duplicates point at it. Enforced by the
    # database so that two workers taking the same file at once cannot both win.
    __table_args__ = (
        Index(
            "uq_documents_original_sha256",
            "sha256",
            unique=True,
            sqlite_where=text("duplicate_of_id IS NULL"),
            postgresql_where=text("duplicate_of_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    source_path: Mapped[str] = mapped_column(Text)
    archive_path: Mapped[str | None] = mapped_column(Text)
    # Where the operator's copy ended up (done/... or failed/...), set by the watcher.
    stored_path: Mapped[str | None] = mapped_column(Text)
    file_kind: Mapped[str | None] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), index=True)
    document_type: Mapped[str | None] = mapped_column(String(20))
    type_confidence: Mapped[float | None]
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ocr_engine: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.customer_id"))
    bill_id: Mapped[str | None] = mapped_column(ForeignKey("bills.bill_id"))
    match_confidence: Mapped[float | None]
    match_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The best candidates (customer, bill, confidence, evidence), winner first: the runner-up
    # shows why a match was or was not trusted, and reviewers pick from them.
    match_candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    error_retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # Proof-reading results (domain.Check as JSON): sums, checksums, XML against the page,
    # and the shipment's other documents.
    checks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Where the fields came from: "text" (read from the page) or "xml" (embedded e-invoice).
    field_source: Mapped[str | None] = mapped_column(String(8))
    # The file this document was cut from, when one file held several documents.
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    approvals: Mapped[list[Approval]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Approval.id"
    )


class DocumentReference(Base):
    """A reference a document gives (invoice, B/L, container, declaration or order number),
    normalised: documents sharing one belong to the same shipment (``storage.shipments``)."""

    __tablename__ = "document_references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(120), index=True)


class Approval(Base):
    __tablename__ = "approvals"
    # The database itself refuses a second approval by the same reviewer.
    __table_args__ = (UniqueConstraint("document_id", "reviewer", name="uq_approval_reviewer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # What this reviewer approved: {"fields": {name: value}, "customer_id", "bill_id"}. Kept
    # apart from the document so that the second review is blind to the first one's edits.
    version: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    document: Mapped[Document] = relationship(back_populates="approvals")


class User(Base):
    """A person who signs in: operator (uploads), reviewer (reviews), admin (everything)."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # operator | reviewer | admin
    password_hash: Mapped[str] = mapped_column(String(300))  # argon2, never the password
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """An API token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Failed sign-ins, for throttling guessers (by name and by address)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AuditEntry(Base):
    """Every change to a document or bill: who, when, what, old and new value."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    entity: Mapped[str] = mapped_column(String(20))  # document | bill | customer
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
