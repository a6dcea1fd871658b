"""erp_vouchers: each settlement's posting proposal posted as a voucher in the ERP

Revision ID: integrations_0002_erp_vouchers
Revises: integrations_0001_erp
Create Date: 2026-12-07 02:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'integrations_0002_erp_vouchers'
down_revision: str | None = 'integrations_0001_erp'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'erp_vouchers',
        sa.Column(
            'document_id',
            sa.Uuid(),
            nullable=False,
            comment="the reports service's posting proposal: posted once",
        ),
        sa.Column('connection_id', sa.Uuid(), nullable=False),
        sa.Column('settlement_id', sa.Uuid(), nullable=False),
        sa.Column(
            'voucher_number', sa.String(length=40), nullable=False,
            comment="the statement's number",
        ),
        sa.Column(
            'erp_voucher_id', sa.BigInteger(), nullable=True,
            comment="the voucher's id in the ERP, once posted",
        ),
        sa.Column(
            'outcome', sa.String(length=40), nullable=False,
            comment="posted, or the ERP's error code",
        ),
        sa.Column(
            'attempted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ['connection_id'], ['connections.connection_id'],
            name=op.f('fk_erp_vouchers_connection_id_connections'),
        ),
        sa.PrimaryKeyConstraint('document_id', name=op.f('pk_erp_vouchers')),
        comment="each settlement's posting proposal posted as a voucher in the creditor's ERP",
    )
    op.create_index(
        'ix_erp_vouchers_connection', 'erp_vouchers', ['connection_id', 'attempted_at'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_erp_vouchers_connection', table_name='erp_vouchers')
    op.drop_table('erp_vouchers')
