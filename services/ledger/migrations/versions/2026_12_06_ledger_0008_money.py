"""a claim's first time-barred day and the date its interest runs from

``time_barred_on`` (cases.claim.time_barred): interest and fees stop. ``interest_due_date``
(no due date agreed, cases.case.registered ``interest_starts``): 30 days after the påkrav.

Revision ID: ledger_0008_money
Revises: ledger_0007
Create Date: 2026-12-06 23:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'ledger_0008_money'
down_revision: str | None = 'ledger_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'ledger_claims',
        sa.Column(
            'time_barred_on',
            sa.Date(),
            nullable=True,
            comment='first day the claim is time-barred (cases.claim.time_barred): '
            'no interest or fee from then',
        ),
    )
    op.add_column(
        'ledger_claims',
        sa.Column(
            'interest_due_date',
            sa.Date(),
            nullable=True,
            comment='no due date agreed: 30 days after the påkrav, interest from the day after',
        ),
    )


def downgrade() -> None:
    op.drop_column('ledger_claims', 'interest_due_date')
    op.drop_column('ledger_claims', 'time_barred_on')
