"""the debtor's name on the case, indexed for prefix search per creditor

A name search joined to ``parties`` had to test every case of a creditor in date order
(549 ms for a common prefix at 1,000,000 cases, bench/cases_queries.py); with the name on
the case an index on ``(creditor_id, lower(debtor_name))`` finds the matches directly.

Revision ID: cases_0005
Revises: cases_0004
Create Date: 2026-11-25 07:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0005'
down_revision: str | None = 'cases_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'cases',
        sa.Column(
            'debtor_name',
            sa.String(length=200),
            nullable=True,
            comment="the debtor's name, kept on the case for name search (personal data)",
        ),
    )
    op.execute(
        "UPDATE cases SET debtor_name = p.name FROM parties p "
        "WHERE p.case_id = cases.id AND p.role = 'debtor'"
    )
    op.alter_column('cases', 'debtor_name', nullable=False)
    op.create_index(
        'ix_cases_creditor_debtor_name',
        'cases',
        ['creditor_id', sa.literal_column('lower(debtor_name) text_pattern_ops')],
    )
    op.create_index(
        'ix_cases_debtor_name', 'cases', [sa.literal_column('lower(debtor_name) text_pattern_ops')]
    )
    op.drop_index('ix_parties_name', table_name='parties')


def downgrade() -> None:
    op.create_index(
        'ix_parties_name', 'parties', [sa.literal_column('lower(name) text_pattern_ops')]
    )
    op.drop_index('ix_cases_debtor_name', table_name='cases')
    op.drop_index('ix_cases_creditor_debtor_name', table_name='cases')
    op.drop_column('cases', 'debtor_name')
