"""payments.updated_at: when a payment last changed (received, matched, reversed), for
``updated_since`` on the payment list (issue 14 §1)

Revision ID: ledger_0013_payments_updated_at
Revises: ledger_0012_primary_rate_sources
Create Date: 2026-12-07 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0013_payments_updated_at"
down_revision: str | None = "ledger_0012_primary_rate_sources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="received, or its status or case last changed (updated_since)",
        ),
    )
    op.execute("UPDATE payments SET updated_at = received_at")
    op.create_index("ix_payments_updated_at", "payments", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_payments_updated_at", table_name="payments")
    op.drop_column("payments", "updated_at")
