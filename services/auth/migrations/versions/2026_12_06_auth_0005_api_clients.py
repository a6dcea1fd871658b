"""api_clients: an organisation's machine clients (OAuth 2.0 client credentials, ADR 0040)

Revision ID: auth_0005_api_clients
Revises: auth_0004_opspages
Create Date: 2026-12-06 23:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'auth_0005_api_clients'
down_revision: str | None = 'auth_0004_opspages'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'api_clients',
        sa.Column('id', sa.Uuid(), nullable=False, comment='the OAuth client_id'),
        sa.Column('organisation_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('scopes', postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column(
            'allowed_networks',
            postgresql.ARRAY(sa.String(length=50)),
            server_default=sa.text("'{}'"),
            nullable=False,
            comment='CIDR blocks a token may be asked from; empty: anywhere',
        ),
        sa.Column(
            'secret_hash', sa.String(length=64), nullable=False,
            comment='SHA-256 of the 256-bit secret',
        ),
        sa.Column(
            'previous_secret_hash', sa.String(length=64), nullable=True,
            comment='the secret before the last rotation',
        ),
        sa.Column('previous_secret_valid_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Uuid(), nullable=False, comment='the creditor admin'),
        sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            'last_used_at', sa.DateTime(timezone=True), nullable=True,
            comment='last token issued',
        ),
        sa.Column('last_used_ip', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_api_clients_organisation_id_organisations'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
        comment="an organisation's machine clients (OAuth 2.0 client credentials, ADR 0040)",
    )
    op.create_index(
        op.f('ix_api_clients_organisation_id'), 'api_clients', ['organisation_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_api_clients_organisation_id'), table_name='api_clients')
    op.drop_table('api_clients')
