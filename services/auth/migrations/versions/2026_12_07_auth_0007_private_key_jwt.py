"""api_client_keys and client_assertion_jtis: private_key_jwt client authentication
(RFC 7523) for API clients (issue 14 §1)

Revision ID: auth_0007_private_key_jwt
Revises: auth_0006_idempotency_keys
Create Date: 2026-12-07 02:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'auth_0007_private_key_jwt'
down_revision: str | None = 'auth_0006_idempotency_keys'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'api_client_keys',
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column(
            'jwks',
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="the client's public keys (a JWK Set) for private_key_jwt (RFC 7523)",
        ),
        sa.Column(
            'updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ['client_id'], ['api_clients.id'], name=op.f('fk_api_client_keys_client_id_api_clients')
        ),
        sa.PrimaryKeyConstraint('client_id', name=op.f('pk_api_client_keys')),
        comment='public keys an API client signs its client assertions with',
    )
    op.create_table(
        'client_assertion_jtis',
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('jti', sa.String(length=200), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('client_id', 'jti', name=op.f('pk_client_assertion_jtis')),
        comment='client assertions used, kept until they expire: a replayed one is refused',
    )
    op.create_index(
        op.f('ix_client_assertion_jtis_expires_at'), 'client_assertion_jtis', ['expires_at'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_client_assertion_jtis_expires_at'), table_name='client_assertion_jtis')
    op.drop_table('client_assertion_jtis')
    op.drop_table('api_client_keys')
