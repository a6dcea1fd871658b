"""claims carry their type (ordinary: 3-year limitation, loan: 10) and a påkrav date

A claim with no due date agreed in advance carries the day the written demand (påkrav) was
sent: interest runs from 30 days after it (forsinkelsesrenteloven § 2).

Foreldelsesloven § 5 gives a pengelån and a claim with a gjeldsbrev ten years; the
creditor says which on registration (``claim_type``). Existing claims are ordinary.

Revision ID: cases_0009_money
Revises: cases_0008
Create Date: 2026-12-06 23:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0009_money'
down_revision: str | None = 'cases_0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'claims',
        sa.Column(
            'claim_type',
            sa.String(length=10),
            server_default=sa.text("'ordinary'"),
            nullable=False,
            comment='ordinary (3-year limitation) or loan (pengelån, gjeldsbrev: 10 years)',
        ),
    )
    op.add_column(
        'claims',
        sa.Column(
            'demand_sent_on',
            sa.Date(),
            nullable=True,
            comment='no due date agreed: the påkrav\'s date (interest from 30 days after it)',
        ),
    )
    op.create_check_constraint(
        op.f('ck_claims_claim_type_known'), 'claims', "claim_type IN ('ordinary', 'loan')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f('ck_claims_claim_type_known'), 'claims', type_='check')
    op.drop_column('claims', 'demand_sent_on')
    op.drop_column('claims', 'claim_type')
