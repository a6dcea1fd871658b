"""idempotency_keys: answers to POSTs sent with an Idempotency-Key (issue 14 §1)

Revision ID: integrations_0003_idem_keys
Revises: integrations_0002_erp_vouchers
Create Date: 2026-12-07 05:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'integrations_0003_idem_keys'
down_revision: str | None = 'integrations_0002_erp_vouchers'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'idempotency_keys',
        sa.Column('scope', sa.String(length=100), nullable=False, comment='whose key: the caller'),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column(
            'fingerprint', sa.String(length=64), nullable=False, comment='SHA-256 of the request'
        ),
        sa.Column('status_code', sa.SmallInteger(), nullable=True),
        sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            'created_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency_keys')),
        comment='answers to requests sent with an Idempotency-Key (kept for a retention period)',
    )
    op.create_index(
        'ix_idempotency_keys_created', 'idempotency_keys', ['created_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_idempotency_keys_created', table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
