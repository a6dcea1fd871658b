"""objections, payment plans and workflow state (owned by the workflow work)

Revision ID: cases_0004
Revises: cases_0003
Create Date: 2026-11-25 12:00:00
"""
from collections.abc import Sequence

revision: str = 'cases_0004'
down_revision: str | None = 'cases_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
