"""ops_audit: dead-letter inspections, replays and purges (ADR 0047)

Revision ID: cases_0010_ops_audit
Revises: cases_0009_money
Create Date: 2026-12-06 23:30:00
"""

from collections.abc import Sequence

from alembic import op
from servicekit.ops import AUDIT_TABLE_DDL, AUDIT_TABLE_DROP

revision: str = "cases_0010_ops_audit"
down_revision: str | None = "cases_0009_money"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in AUDIT_TABLE_DDL:
        op.execute(statement)


def downgrade() -> None:
    for statement in AUDIT_TABLE_DROP:
        op.execute(statement)
