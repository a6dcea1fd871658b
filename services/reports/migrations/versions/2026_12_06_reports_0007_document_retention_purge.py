"""parked changes to cases not yet in the read model; retention purge: document deletion only by the purge (a session setting checked by a
trigger), the purge audit (append-only), the download audit outlives the documents

Revision ID: reports_0007
Revises: reports_0006
Create Date: 2026-12-06 18:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'reports_0007'
down_revision: str | None = 'reports_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_UP = (
    """
    CREATE FUNCTION reports_guard_document_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF coalesce(current_setting('reports.purge', true), '') <> 'retention' THEN
            RAISE EXCEPTION 'documents are deleted only by the retention purge'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END $$
    """,
    """
    CREATE TRIGGER documents_delete_only_by_purge BEFORE DELETE ON documents
        FOR EACH ROW EXECUTE FUNCTION reports_guard_document_delete()
    """,
    """
    CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON documents
        FOR EACH STATEMENT EXECUTE FUNCTION reports_refuse_change()
    """,
    """
    CREATE TRIGGER document_purges_append_only BEFORE UPDATE OR DELETE ON document_purges
        FOR EACH ROW EXECUTE FUNCTION reports_refuse_change()
    """,
    """
    CREATE TRIGGER document_purges_no_truncate BEFORE TRUNCATE ON document_purges
        FOR EACH STATEMENT EXECUTE FUNCTION reports_refuse_change()
    """,
)


def upgrade() -> None:
    op.create_table('document_purges',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('source_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('retained_until', sa.Date(), nullable=False, comment='the last day it had to be kept'),
    sa.Column('purged_on', sa.Date(), nullable=False, comment="the purge's day (its clock)"),
    sa.Column('purged_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_purges')),
    comment='audit of documents deleted by the retention purge: append-only (trigger)'
    )
    op.create_index('ix_document_purges_document_id', 'document_purges', ['document_id'], unique=False)
    op.create_index('ix_document_purges_source', 'document_purges', ['kind', 'source_id'], unique=False)
    op.create_table('parked_case_events',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('routing_key', sa.String(length=80), nullable=False),
    sa.Column('envelope', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('parked_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parked_case_events')),
    comment='changes to cases not in the read model yet, applied when the case arrives'
    )
    op.create_index('ix_parked_case_events_case_id', 'parked_case_events', ['case_id'], unique=False)
    op.create_index('uq_parked_case_events_event_id', 'parked_case_events', ['event_id'], unique=True)
    # The download audit keeps the id of a document the purge deleted.
    op.drop_constraint(
        'fk_document_downloads_document_id_documents', 'document_downloads', type_='foreignkey'
    )
    op.alter_column('document_downloads', 'document_id', existing_type=sa.Uuid(),
                    comment='no foreign key: outlives a purge', existing_nullable=False)
    op.create_table_comment(
        'documents',
        'issued documents: immutable (a trigger refuses UPDATE; DELETE only by the purge)',
    )
    for statement in _UP:
        op.execute(statement)


def downgrade() -> None:
    op.execute('DROP TRIGGER documents_no_truncate ON documents')
    op.execute('DROP TRIGGER documents_delete_only_by_purge ON documents')
    op.execute('DROP FUNCTION reports_guard_document_delete()')
    op.create_foreign_key(
        'fk_document_downloads_document_id_documents', 'document_downloads', 'documents',
        ['document_id'], ['document_id'],
    )
    op.drop_table('parked_case_events')
    op.drop_index('ix_document_purges_source', table_name='document_purges')
    op.drop_index('ix_document_purges_document_id', table_name='document_purges')
    op.drop_table('document_purges')
