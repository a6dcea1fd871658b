"""import jobs, their file chunks and row errors (owned by the import work)

Revision ID: cases_0003
Revises: cases_0002
Create Date: 2026-11-25 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'cases_0003'
down_revision: str | None = 'cases_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('import_jobs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('creditor_id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False, comment='the user who uploaded the file'),
    sa.Column('format', sa.String(length=4), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('requested_encoding', sa.String(length=20), nullable=True, comment="a CSV's encoding as the uploader named it"),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), server_default=sa.text("'queued'"), nullable=False),
    sa.Column('rows_read', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('cases_registered', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('cases_rejected', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('checkpoint_records', sa.Integer(), server_default=sa.text('0'), nullable=False, comment='records of the file whose cases are committed: a resumed import skips them'),
    sa.Column('checkpoint_state', postgresql.JSONB(astext_type=sa.Text()), nullable=True, comment="the row grouper's state at the checkpoint"),
    sa.Column('facts', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('error', sa.Text(), nullable=True, comment='why the import failed (for people)'),
    sa.Column('batch_id', sa.Uuid(), nullable=True),
    sa.Column('lease_owner', sa.String(length=100), nullable=True, comment='the importer working on it'),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("format IN ('csv', 'xlsx', 'json')", name=op.f('ck_import_jobs_format')),
    sa.CheckConstraint("status IN ('queued', 'running', 'completed', 'failed')", name=op.f('ck_import_jobs_status')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_import_jobs_batch_id_batches')),
    sa.ForeignKeyConstraint(['creditor_id'], ['creditors.organisation_id'], name=op.f('fk_import_jobs_creditor_id_creditors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs')),
    comment='file imports of cases: one job per uploaded file, its progress and checkpoint'
    )
    op.create_index('ix_import_jobs_creditor_created', 'import_jobs', ['creditor_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_import_jobs_created', 'import_jobs', ['created_at', 'id'], unique=False)
    op.create_index('ix_import_jobs_pending', 'import_jobs', ['created_at'], unique=False, postgresql_where=sa.text("status IN ('queued', 'running')"))
    op.create_table('import_file_chunks',
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['import_jobs.id'], name=op.f('fk_import_file_chunks_job_id_import_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'seq', name=op.f('pk_import_file_chunks')),
    comment='an uploaded file, in pieces, until its import is finished (then deleted)'
    )
    # Stored out of line but not compressed: written once, read once, deleted after.
    op.execute("ALTER TABLE import_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL")
    op.create_table('import_row_errors',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False, comment="the file's line (XLSX: row; JSON: case)"),
    sa.Column('column', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('creditor_reference', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['import_jobs.id'], name=op.f('fk_import_row_errors_job_id_import_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_row_errors')),
    comment='every problem of every refused row of an import (the error report)'
    )
    op.create_index('ix_import_row_errors_job', 'import_row_errors', ['job_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_import_row_errors_job', table_name='import_row_errors')
    op.drop_table('import_row_errors')
    op.drop_table('import_file_chunks')
    op.drop_index('ix_import_jobs_pending', table_name='import_jobs', postgresql_where=sa.text("status IN ('queued', 'running')"))
    op.drop_index('ix_import_jobs_created', table_name='import_jobs')
    op.drop_index('ix_import_jobs_creditor_created', table_name='import_jobs')
    op.drop_table('import_jobs')
