"""documents.checks, field_source and split_from_id: proof-reading results, where the fields
came from, and the file a document was cut from

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch rebuild: on SQLite a rebuild drops and re-creates the
    # documents table, which with foreign keys on would take the rows that refer to it along.
    op.add_column("documents", sa.Column("checks", sa.JSON(), nullable=True))
    op.add_column("documents", sa.Column("field_source", sa.String(8), nullable=True))
    op.add_column("documents", sa.Column("split_from_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot add a constraint in place
        op.create_foreign_key(
            "fk_documents_split_from", "documents", "documents", ["split_from_id"], ["id"]
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_documents_split_from", "documents", type_="foreignkey")
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_column("split_from_id")
        batch_op.drop_column("field_source")
        batch_op.drop_column("checks")
