"""statement corrections: documents of kind credit_note, and document_corrections (the
statement corrected, its credit note and replacement, the reason; append-only)

Revision ID: reports_0009
Revises: reports_0008
Create Date: 2026-12-06 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "reports_0009"
down_revision: str | None = "reports_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = (
    "'order_confirmation', 'settlement_statement', 'posting_proposal', "
    "'case_statement', 'report_run', 'debtor_letter'"
)
_REASONS = (
    "reason IN ('creditor_name', 'creditor_organisation_number', 'creditor_address', "
    "'account_mapping', 'issued_in_error', 'settlement_reversed')"
)


def upgrade() -> None:
    op.drop_constraint(op.f("ck_documents_kind"), "documents", type_="check")
    op.create_check_constraint(
        op.f("ck_documents_kind"), "documents", f"kind IN ({_KINDS}, 'credit_note')"
    )
    op.create_table(
        "document_corrections",
        sa.Column("correction_id", sa.Uuid(), nullable=False),
        sa.Column(
            "original_document_id",
            sa.Uuid(),
            nullable=False,
            comment="the statement corrected (no foreign key: the purge)",
        ),
        sa.Column("organisation_id", sa.Uuid(), nullable=False, comment="the creditor"),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("credit_note_document_id", sa.Uuid(), nullable=False),
        sa.Column(
            "replacement_document_id",
            sa.Uuid(),
            nullable=True,
            comment="the new statement, for a correction of master data",
        ),
        sa.Column(
            "requested_by", sa.Uuid(), nullable=True, comment="the agency user; none for an event"
        ),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_REASONS, name=op.f("ck_document_corrections_reason")),
        sa.PrimaryKeyConstraint("correction_id", name=op.f("pk_document_corrections")),
        comment="corrections of issued statements: append-only (a trigger refuses UPDATE, DELETE)",
    )
    op.create_index(
        "uq_document_corrections_original",
        "document_corrections",
        ["original_document_id"],
        unique=True,
    )
    op.create_index(
        "ix_document_corrections_credit_note",
        "document_corrections",
        ["credit_note_document_id"],
        unique=False,
    )
    op.create_index(
        "ix_document_corrections_replacement",
        "document_corrections",
        ["replacement_document_id"],
        unique=False,
    )
    op.execute(
        """
        CREATE TRIGGER document_corrections_append_only
            BEFORE UPDATE OR DELETE ON document_corrections
            FOR EACH ROW EXECUTE FUNCTION reports_refuse_change()
        """
    )


def downgrade() -> None:
    op.drop_table("document_corrections")
    op.execute("SET LOCAL reports.purge = 'retention'")
    op.execute(
        "DELETE FROM documents WHERE kind = 'credit_note' OR replaces_document_id IS NOT NULL"
    )
    op.drop_constraint(op.f("ck_documents_kind"), "documents", type_="check")
    op.create_check_constraint(op.f("ck_documents_kind"), "documents", f"kind IN ({_KINDS})")
