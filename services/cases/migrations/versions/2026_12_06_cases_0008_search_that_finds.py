"""case search finds a word anywhere in the debtor's name and a reference in any case

The name search matched only the start of the name (``lower(debtor_name) LIKE 'x%'``,
two btree indexes); it now matches every word anywhere (``LIKE '%word%'``) through a
trigram GIN index (``pg_trgm``), which replaces both. A creditor's reference is found
whatever its case (``lower(creditor_reference)``: alone, so that it also serves
the one search box's ``OR`` and agency staff searching every creditor).

``pg_trgm`` is a trusted extension (PostgreSQL 13+): the owner of the database may create
it without being a superuser (checked on PostgreSQL 15 with a non-superuser owner).

Revision ID: cases_0008
Revises: cases_0007
Create Date: 2026-12-06 21:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0008'
down_revision: str | None = 'cases_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index(
        'ix_cases_debtor_name_trgm',
        'cases',
        [sa.literal_column('lower(debtor_name) gin_trgm_ops')],
        postgresql_using='gin',
    )
    op.create_index(
        'ix_cases_reference_lower', 'cases', [sa.literal_column('lower(creditor_reference)')]
    )
    op.drop_index('ix_cases_creditor_debtor_name', table_name='cases')
    op.drop_index('ix_cases_debtor_name', table_name='cases')


def downgrade() -> None:
    op.create_index(
        'ix_cases_debtor_name', 'cases', [sa.literal_column('lower(debtor_name) text_pattern_ops')]
    )
    op.create_index(
        'ix_cases_creditor_debtor_name',
        'cases',
        ['creditor_id', sa.literal_column('lower(debtor_name) text_pattern_ops')],
    )
    op.drop_index('ix_cases_reference_lower', table_name='cases')
    op.drop_index('ix_cases_debtor_name_trgm', table_name='cases')
