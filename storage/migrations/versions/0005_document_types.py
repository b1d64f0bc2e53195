"""document types named in full: "customs" becomes "customs_declaration"

Trade paperwork now has four types (customs declaration, commercial invoice, packing list,
bill of lading), so the old short name is renamed where stored.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE documents SET document_type = 'customs_declaration' "
        "WHERE document_type = 'customs'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE documents SET document_type = 'customs' "
        "WHERE document_type = 'customs_declaration'"
    )
