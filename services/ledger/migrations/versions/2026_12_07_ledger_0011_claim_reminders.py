"""claim reminders: the creditor's reminders as events (date, fee) per claim (issue 13 §3)

Revision ID: ledger_0011_claim_reminders
Revises: ledger_0010_standardkompensasjon
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "ledger_0011_claim_reminders"
down_revision: str | None = "ledger_0010_standardkompensasjon"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "ledger_claims",
        sa.Column(
            "reminders",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="the creditor's reminders as events [{sent_on, fee_ore}]; null: not given",
        ),
    )


def downgrade() -> None:
    op.drop_column("ledger_claims", "reminders")
