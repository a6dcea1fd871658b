"""interest adjustments: an allocation row (and its settlement line) without a payment

Interest paid beyond what turns out owed (a payment with an earlier value date arrived
later) is moved to the overpaid account; its allocation row is an ``adjustment`` that no
payment (or no single one, at a closing) caused.

Revision ID: ledger_0005
Revises: ledger_0004
Create Date: 2026-11-25 09:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'ledger_0005'
down_revision: str | None = 'ledger_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        'payment_allocations', 'payment_id', existing_type=sa.Uuid(), nullable=True,
        comment='none for an adjustment that no payment caused',
    )
    op.alter_column(
        'payment_allocations', 'kind', existing_type=sa.String(length=12), existing_nullable=False,
        comment="'payment', 'reversal', or 'adjustment' (interest paid beyond what was owed)",
        existing_comment="'payment' or 'reversal'",
    )
    op.alter_column('settlement_lines', 'payment_id', existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM settlement_lines WHERE payment_id IS NULL")
    op.execute("DELETE FROM payment_allocations WHERE payment_id IS NULL")
    op.alter_column('settlement_lines', 'payment_id', existing_type=sa.Uuid(), nullable=False)
    op.alter_column(
        'payment_allocations', 'kind', existing_type=sa.String(length=12), existing_nullable=False,
        comment="'payment' or 'reversal'",
    )
    op.alter_column(
        'payment_allocations', 'payment_id', existing_type=sa.Uuid(), nullable=False,
        existing_comment='none for an adjustment that no payment caused', comment=None,
    )
