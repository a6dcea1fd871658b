"""users: the «documents are ready» e-mail preference and its hourly throttle

Revision ID: auth_0003
Revises: auth_0002
Create Date: 2026-12-06 21:05:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'auth_0003'
down_revision: str | None = 'auth_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'users',
        sa.Column(
            'notify_documents',
            sa.Boolean(),
            server_default=sa.text('true'),
            nullable=False,
            comment='mail me when new documents are ready (on unless the user turns it off)',
        ),
    )
    op.add_column(
        'users',
        sa.Column(
            'documents_notified_at',
            sa.DateTime(timezone=True),
            nullable=True,
            comment='when the last «documents are ready» mail went out (one an hour at most)',
        ),
    )


def downgrade() -> None:
    op.drop_column('users', 'documents_notified_at')
    op.drop_column('users', 'notify_documents')
