"""unmatched_payer: the payer's name, account and message of an unmatched payment

What a case handler needs to place a payment the KID did not place, from the bank file;
kept only while the payment waits in the queue (cleared when it is resolved).

Revision ID: ledger_0014_unmatched_payer
Revises: ledger_0013_payments_updated_at
Create Date: 2026-12-07 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0014_unmatched_payer"
down_revision: str | None = "ledger_0013_payments_updated_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("unmatched_payments", sa.Column("payer_name", sa.String(140)))
    op.add_column("unmatched_payments", sa.Column("payer_account", sa.String(34)))
    op.add_column("unmatched_payments", sa.Column("message", sa.String(500)))


def downgrade() -> None:
    for column in ("message", "payer_account", "payer_name"):
        op.drop_column("unmatched_payments", column)
