"""standardkompensasjon: the creditor agreement says whether the creditor claims it (ADR 0056)

Revision ID: ledger_0010_standardkompensasjon
Revises: ledger_0009_ops_audit
Create Date: 2026-12-07 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0010_standardkompensasjon"
down_revision: str | None = "ledger_0009_ops_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "creditor_agreements",
        sa.Column(
            "claims_standardkompensasjon",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="the creditor claims standardkompensasjon on B2B claims (ADR 0056)",
        ),
    )


def downgrade() -> None:
    op.drop_column("creditor_agreements", "claims_standardkompensasjon")
