"""a claim's first time-barred day and the date its interest runs from

``time_barred_on`` (cases.claim.time_barred): interest and fees stop. ``interest_due_date``
(no due date agreed, cases.case.registered ``interest_starts``): 30 days after the påkrav.
``case_steps.instalments``: an avdragsordning's instalments (the avdragsgebyr, forskrift
§ 2-4), and the rate rows ``avdragsgebyr_multiple`` and ``avdragsgebyr_min_instalments``
(loaded from the shipped files like ``ledger_0007``; idempotent).

Revision ID: ledger_0008_money
Revises: ledger_0007
Create Date: 2026-12-06 23:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ledger.adapters.rate_files import read_seed_rates

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
    op.add_column(
        'case_steps',
        sa.Column(
            'instalments',
            sa.SmallInteger(),
            nullable=True,
            comment="an avdragsordning's number of instalments (payment_plan_agreed)",
        ),
    )
    insert = sa.text(
        "INSERT INTO rates (kind, effective_from, parameter, value, unit, source_url, status,"
        " origin) VALUES (:kind, :effective_from, :parameter, :value, :unit, :source_url,"
        " :status, 'seed') ON CONFLICT DO NOTHING"
    )
    rows = [
        {
            "kind": r.kind,
            "effective_from": r.effective_from,
            "parameter": r.parameter,
            "value": r.value,
            "unit": r.unit,
            "source_url": r.source_url,
            "status": r.status,
        }
        for r in read_seed_rates()
        if r.kind.startswith('avdragsgebyr_')
    ]
    if rows:
        op.get_bind().execute(insert, rows)


def downgrade() -> None:
    op.execute("ALTER TABLE rates DISABLE TRIGGER rates_guard")
    op.execute("DELETE FROM rates WHERE origin = 'seed' AND kind LIKE 'avdragsgebyr_%'")
    op.execute("ALTER TABLE rates ENABLE TRIGGER rates_guard")
    op.drop_column('case_steps', 'instalments')
    op.drop_column('ledger_claims', 'interest_due_date')
    op.drop_column('ledger_claims', 'time_barred_on')
