"""note attachments: files on notes, sealed, scanned by ClamAV before download

Revision ID: cases_0013_note_attachments
Revises: cases_0012_case_balances
Create Date: 2026-12-07 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0013_note_attachments'
down_revision: str | None = 'cases_0012_case_balances'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'note_attachments',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('note_id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('creditor_id', sa.Uuid(), nullable=False),
        sa.Column('uploaded_by', sa.Uuid(), nullable=False),
        sa.Column(
            'filename', sa.String(length=120), nullable=False, comment="cleaned; the download's name"
        ),
        sa.Column(
            'media_type',
            sa.String(length=100),
            nullable=False,
            comment='told by the content (magic bytes)',
        ),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column(
            'status', sa.String(length=12), nullable=False, comment='pending, clean, quarantined'
        ),
        sa.Column(
            'signature',
            sa.String(length=200),
            nullable=True,
            comment='what clamd found (quarantined files)',
        ),
        sa.Column('scan_attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('next_scan_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            'created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'clean', 'quarantined')", name=op.f('ck_note_attachments_status')
        ),
        sa.CheckConstraint('size_bytes > 0', name=op.f('ck_note_attachments_size_positive')),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_note_attachments_case_id_cases'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['note_id'], ['notes.id'], name=op.f('fk_note_attachments_note_id_notes'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_note_attachments')),
        comment='files attached to notes, scanned by ClamAV before anyone may download them',
    )
    op.create_index('ix_note_attachments_note', 'note_attachments', ['note_id'], unique=False)
    op.create_index(
        'ix_note_attachments_pending',
        'note_attachments',
        ['next_scan_at'],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        'attachment_contents',
        sa.Column('attachment_id', sa.Uuid(), nullable=False),
        sa.Column(
            'sealed', sa.Text(), nullable=False, comment='AES-GCM (servicekit.crypto), bound to the id'
        ),
        sa.ForeignKeyConstraint(
            ['attachment_id'],
            ['note_attachments.id'],
            name=op.f('fk_attachment_contents_attachment_id_note_attachments'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_attachment_contents')),
        comment="the attached files' bytes, sealed; a quarantined file's are deleted",
    )


def downgrade() -> None:
    op.drop_table('attachment_contents')
    op.drop_index('ix_note_attachments_pending', table_name='note_attachments')
    op.drop_index('ix_note_attachments_note', table_name='note_attachments')
    op.drop_table('note_attachments')
