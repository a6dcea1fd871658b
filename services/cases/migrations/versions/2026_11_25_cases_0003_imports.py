"""import jobs, their file chunks and row errors (owned by the import work)

Revision ID: cases_0003
Revises: cases_0002
Create Date: 2026-11-25 12:00:00
"""
from collections.abc import Sequence

revision: str = 'cases_0003'
down_revision: str | None = 'cases_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
