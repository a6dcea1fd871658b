"""cases.updated_at, moved by a trigger on every change: `updated_since` sync for API clients

Revision ID: cases_0011_updated_at
Revises: cases_0010_ops_audit
Create Date: 2026-12-06 23:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'cases_0011_updated_at'
down_revision: str | None = 'cases_0010_ops_audit'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'cases',
        sa.Column(
            'updated_at',
            sa.DateTime(timezone=True),
            server_default=sa.text('now()'),
            nullable=False,
            comment='moved by a trigger on every change (for `updated_since` sync)',
        ),
    )
    op.execute("UPDATE cases SET updated_at = greatest(registered_at, status_since)")
    op.create_index(
        'ix_cases_creditor_updated', 'cases', ['creditor_id', 'updated_at', 'id'], unique=False
    )
    op.execute(
        """
        CREATE FUNCTION cases_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER cases_touch_updated_at BEFORE UPDATE ON cases "
        "FOR EACH ROW EXECUTE FUNCTION cases_touch_updated_at()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER cases_touch_updated_at ON cases")
    op.execute("DROP FUNCTION cases_touch_updated_at()")
    op.drop_index('ix_cases_creditor_updated', table_name='cases')
    op.drop_column('cases', 'updated_at')
