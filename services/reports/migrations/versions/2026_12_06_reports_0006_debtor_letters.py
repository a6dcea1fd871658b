"""debtor letters: documents of kind debtor_letter linked to their case, and the queue of
letters handed to the post

Revision ID: reports_0006
Revises: reports_0005
Create Date: 2026-12-06 18:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'reports_0006'
down_revision: str | None = 'reports_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('documents', sa.Column('case_id', sa.Uuid(), nullable=True, comment='the case a letter to its debtor was sent on'))
    op.create_index('ix_documents_case_id', 'documents', ['case_id'], unique=False, postgresql_where=sa.text('case_id IS NOT NULL'))
    op.drop_constraint(op.f("ck_documents_kind"), "documents", type_="check")
    op.create_check_constraint(
        op.f("ck_documents_kind"),
        "documents",
        "kind IN ('order_confirmation', 'settlement_statement', 'posting_proposal', "
        "'case_statement', 'report_run', 'debtor_letter')",
    )
    op.create_table('letter_dispatches',
    sa.Column('letter_id', sa.Uuid(), nullable=False, comment='the post dedupes by it'),
    sa.Column('document_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False, comment='inkassovarsel or betalingsoppfordring'),
    sa.Column('recipient', postgresql.JSONB(astext_type=sa.Text()), nullable=True, comment='name and address until sent, then erased (ADR 0033)'),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('post_reference', sa.String(length=80), nullable=True, comment="the post's receipt id"),
    sa.ForeignKeyConstraint(['document_id'], ['documents.document_id'], name=op.f('fk_letter_dispatches_document_id_documents')),
    sa.PrimaryKeyConstraint('letter_id', name=op.f('pk_letter_dispatches')),
    comment='letters handed to the post: at least once, retried until the post confirms'
    )
    op.create_index('ix_letter_dispatches_due', 'letter_dispatches', ['next_attempt_at'], unique=False, postgresql_where=sa.text('sent_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_letter_dispatches_due', table_name='letter_dispatches', postgresql_where=sa.text('sent_at IS NULL'))
    op.drop_table('letter_dispatches')
    op.execute("DELETE FROM documents WHERE kind = 'debtor_letter'")
    op.drop_constraint(op.f("ck_documents_kind"), "documents", type_="check")
    op.create_check_constraint(
        op.f("ck_documents_kind"),
        "documents",
        "kind IN ('order_confirmation', 'settlement_statement', 'posting_proposal', "
        "'case_statement', 'report_run')",
    )
    op.drop_index('ix_documents_case_id', table_name='documents', postgresql_where=sa.text('case_id IS NOT NULL'))
    op.drop_column('documents', 'case_id')
