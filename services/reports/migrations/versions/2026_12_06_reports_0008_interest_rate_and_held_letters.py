"""the ledger's forsinkelsesrente and interest by rate period on each booked balance; letters
held until the rate of their day is known

Revision ID: reports_0008
Revises: reports_0007
Create Date: 2026-12-06 20:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'reports_0008'
down_revision: str | None = 'reports_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('case_balances', sa.Column('interest_rate_percent', sa.Numeric(7, 4), nullable=True, comment="forsinkelsesrente p.a. in force on effective_date (the ledger's)"))
    op.add_column('case_balances', sa.Column('interest_rate_from', sa.Date(), nullable=True, comment='the rate applies from this day'))
    op.add_column('case_balances', sa.Column('interest_rate_to', sa.Date(), nullable=True, comment='through this day (the end of its half-year)'))
    op.add_column('case_balances', sa.Column('interest', postgresql.JSONB(astext_type=sa.Text()), nullable=True, comment="the ledger's interest through the day: accrued, outstanding, by rate period"))
    op.create_table('held_letters',
    sa.Column('letter_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('request', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment="the letter's request (name, address)"),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('letter_id', name=op.f('pk_held_letters')),
    comment="letters waiting for what they must state (the forsinkelsesrente of their day); issued and deleted when the ledger's balance event brings it"
    )
    op.create_index('ix_held_letters_case_id', 'held_letters', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_held_letters_case_id', table_name='held_letters')
    op.drop_table('held_letters')
    op.drop_column('case_balances', 'interest')
    op.drop_column('case_balances', 'interest_rate_to')
    op.drop_column('case_balances', 'interest_rate_from')
    op.drop_column('case_balances', 'interest_rate_percent')
