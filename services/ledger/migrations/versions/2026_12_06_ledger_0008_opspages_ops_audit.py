"""ops_audit: dead-letter inspections, replays and purges (ADR 0047)

Revision ID: ledger_0008_opspages
Revises: ledger_0007
Create Date: 2026-12-06 23:30:00
"""

from collections.abc import Sequence

from alembic import op
from servicekit.ops import AUDIT_TABLE_DDL, AUDIT_TABLE_DROP

revision: str = "ledger_0008_opspages"
down_revision: str | None = "ledger_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in AUDIT_TABLE_DDL:
        op.execute(statement)


def downgrade() -> None:
    for statement in AUDIT_TABLE_DROP:
        op.execute(statement)
