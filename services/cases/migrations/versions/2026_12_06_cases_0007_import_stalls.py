"""import jobs count the importers that died on them without getting further

A file that kills its importer (out of memory, a crash in a parser) would otherwise be
leased again and again, taking each importer down in turn, until ``attempts`` ran out.
``leased_at_records`` is the checkpoint when the job was last leased; a lease that runs
out with the checkpoint still there is a stall, and a job with two fails for good.

Revision ID: cases_0007
Revises: cases_0006
Create Date: 2026-12-06 17:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0007'
down_revision: str | None = 'cases_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'import_jobs',
        sa.Column(
            'leased_at_records',
            sa.Integer(),
            server_default=sa.text('0'),
            nullable=False,
            comment='checkpoint_records when the job was last leased',
        ),
    )
    op.add_column(
        'import_jobs',
        sa.Column(
            'stalls',
            sa.SmallInteger(),
            server_default=sa.text('0'),
            nullable=False,
            comment='leases in a row whose importer died before the checkpoint moved',
        ),
    )


def downgrade() -> None:
    op.drop_column('import_jobs', 'stalls')
    op.drop_column('import_jobs', 'leased_at_records')
