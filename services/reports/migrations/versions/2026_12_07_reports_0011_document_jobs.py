"""document_jobs: documents rendered by the renderer, out of the consumer's transaction
(ADR 0066)

Revision ID: reports_0011_document_jobs
Revises: reports_0010_opspages
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "reports_0011_document_jobs"
down_revision: str | None = "reports_0010_opspages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_jobs",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False, comment="the document to render"),
        sa.Column(
            "source_id", sa.Uuid(), nullable=False, comment="the batch, settlement or letter"
        ),
        sa.Column(
            "document_id", sa.Uuid(), nullable=False, comment="the id the document will have"
        ),
        sa.Column(
            "request",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="a letter's request (name, address) until rendered",
        ),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'queued'"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "run_after", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "error",
            sa.String(length=60),
            nullable=True,
            comment="a stable code, never a message with data",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'rendering', 'done', 'failed')",
            name=op.f("ck_document_jobs_status"),
        ),
        sa.CheckConstraint(
            "kind IN ('order_confirmation', 'settlement_statement', 'debtor_letter')",
            name=op.f("ck_document_jobs_kind"),
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_document_jobs")),
        comment="documents to render, recorded by the consumer with its inbox row; the renderer "
        "claims them (FOR UPDATE SKIP LOCKED) and issues the document",
    )
    op.create_index("uq_document_jobs_source", "document_jobs", ["kind", "source_id"], unique=True)
    op.create_index(
        "ix_document_jobs_waiting",
        "document_jobs",
        ["run_after"],
        unique=False,
        postgresql_where=sa.text("status IN ('queued', 'rendering')"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_document_jobs_waiting",
        table_name="document_jobs",
        postgresql_where=sa.text("status IN ('queued', 'rendering')"),
    )
    op.drop_index("uq_document_jobs_source", table_name="document_jobs")
    op.drop_table("document_jobs")
