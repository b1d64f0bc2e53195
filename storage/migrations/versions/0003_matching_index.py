"""Matching index: customer_keys, bills.reference_key, documents.match_candidates

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_keys",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column(
            "customer_id",
            sa.String(64),
            sa.ForeignKey("customers.customer_id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_customer_keys_customer_id", "customer_keys", ["customer_id"])
    with op.batch_alter_table("bills") as batch_op:
        batch_op.add_column(sa.Column("reference_key", sa.String(120), nullable=True))
        batch_op.create_index("ix_bills_reference_key", ["reference_key"])
        batch_op.create_index("ix_bills_customer_status", ["customer_id", "status"])
    with op.batch_alter_table("documents") as batch_op:
        batch_op.add_column(sa.Column("match_candidates", sa.JSON(), nullable=True))
    _backfill()


def _backfill() -> None:
    """Index a ledger imported before this revision, so matching finds its customers."""
    from storage.ledger_index import rebuild_index

    rebuild_index(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_column("match_candidates")
    with op.batch_alter_table("bills") as batch_op:
        batch_op.drop_index("ix_bills_customer_status")
        batch_op.drop_index("ix_bills_reference_key")
        batch_op.drop_column("reference_key")
    op.drop_index("ix_customer_keys_customer_id", "customer_keys")
    op.drop_table("customer_keys")
