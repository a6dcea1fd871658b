"""seed the rate tables from the files shipped with the service

Rows of kinds ending in ``_unconfirmed`` are loaded as *unconfirmed* and are never used
until an agency administrator confirms them. ``python -m ledger.entrypoints.cli
seed-rates`` loads rows added to the files later (idempotent).

Revision ID: ledger_0004
Revises: ledger_0003
Create Date: 2026-11-25 07:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ledger.adapters.rate_files import read_seed_rates

revision: str = 'ledger_0004'
down_revision: str | None = 'ledger_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    insert = sa.text(
        "INSERT INTO rates (kind, effective_from, parameter, value, unit, source_url, status,"
        " origin) VALUES (:kind, :effective_from, :parameter, :value, :unit, :source_url,"
        " :status, 'seed') ON CONFLICT DO NOTHING"
    )
    rows = [
        {
            "kind": r.kind,
            "effective_from": r.effective_from,
            "parameter": r.parameter,
            "value": r.value,
            "unit": r.unit,
            "source_url": r.source_url,
            "status": r.status,
        }
        for r in read_seed_rates()
    ]
    op.get_bind().execute(insert, rows)


def downgrade() -> None:
    op.execute("ALTER TABLE rates DISABLE TRIGGER rates_guard")
    op.execute("DELETE FROM rates WHERE origin = 'seed'")
    op.execute("ALTER TABLE rates ENABLE TRIGGER rates_guard")
