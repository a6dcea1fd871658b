"""each case's balance and paid amount, as the ledger last stated them (a projection)

The ledger owns the money; the case list shows, sorts and filters by what a case owes
and what was paid on it. The cases service keeps the newest ``ledger.case.balance_changed``
per case on the case row (ADR 0055). A new case starts at what the ledger books on
registration (principal and reminder fees, nothing paid) until the ledger's first event.

Existing cases get that starting figure here (the updated_at trigger is held off, so
that API clients syncing by ``updated_since`` are not sent every case again); the
ledger's replay of its balance events (ADR 0032) brings them up to date.

Revision ID: cases_0012_case_balances
Revises: cases_0011_updated_at
Create Date: 2026-12-07 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0012_case_balances'
down_revision: str | None = 'cases_0011_updated_at'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'cases',
        sa.Column(
            'balance_ore',
            sa.BigInteger(),
            nullable=True,
            comment='what the debtor owes (principal, interest, costs) as the ledger last stated it',
        ),
    )
    op.add_column(
        'cases',
        sa.Column(
            'paid_ore',
            sa.BigInteger(),
            server_default=sa.text('0'),
            nullable=False,
            comment='paid on the case so far, net of reversals, as the ledger last stated it',
        ),
    )
    op.add_column(
        'cases',
        sa.Column(
            'balance_changed_at',
            sa.DateTime(timezone=True),
            nullable=True,
            comment="the ledger's time of the balance kept (null: as registered, not yet stated)",
        ),
    )
    op.execute("ALTER TABLE cases DISABLE TRIGGER cases_touch_updated_at")
    op.execute(
        "UPDATE cases SET balance_ore = cases.principal_total_ore + f.fees "
        "FROM (SELECT case_id, sum(reminder_fee_ore) AS fees FROM claims GROUP BY case_id) f "
        "WHERE f.case_id = cases.id"
    )
    op.execute("UPDATE cases SET balance_ore = principal_total_ore WHERE balance_ore IS NULL")
    op.execute("ALTER TABLE cases ENABLE TRIGGER cases_touch_updated_at")
    op.alter_column('cases', 'balance_ore', nullable=False)
    op.create_index(
        'ix_cases_creditor_balance', 'cases', ['creditor_id', 'balance_ore', 'id'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_cases_creditor_balance', table_name='cases')
    op.drop_column('cases', 'balance_changed_at')
    op.drop_column('cases', 'paid_ore')
    op.drop_column('cases', 'balance_ore')
