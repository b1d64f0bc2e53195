"""document_references: the numbers that tie a shipment's papers together

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_references",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer(),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.String(120), nullable=False),
    )
    op.create_index("ix_document_references_document_id", "document_references", ["document_id"])
    op.create_index("ix_document_references_value", "document_references", ["value"])
    _backfill()


def _backfill() -> None:
    """References of the trade papers stored before this revision, so that a new paper finds
    the shipment they belong to. Plain tables, not the models: those may have moved on."""
    from docintake.domain import DocumentType
    from matching.shipments import references
    from storage.shipments import stored_fields

    documents = sa.table(
        "documents",
        sa.column("id", sa.Integer()),
        sa.column("document_type", sa.String()),
        sa.column("status", sa.String()),
        sa.column("fields", sa.JSON()),
    )
    refs = sa.table(
        "document_references",
        sa.column("document_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("value", sa.String()),
    )
    trade = [t.value for t in DocumentType if t.is_trade]
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(documents.c.id, documents.c.document_type, documents.c.fields).where(
            documents.c.document_type.in_(trade),
            documents.c.status.not_in(("duplicate", "rejected", "failed")),
        )
    ).all()
    values = [
        {"document_id": doc_id, "kind": r.kind, "value": r.value}
        for doc_id, doc_type, fields in rows
        for r in references(DocumentType(doc_type), stored_fields(fields))
    ]
    if values:
        conn.execute(sa.insert(refs), values)


def downgrade() -> None:
    op.drop_index("ix_document_references_value", "document_references")
    op.drop_index("ix_document_references_document_id", "document_references")
    op.drop_table("document_references")
