"""seed the rate rows added to the shipped files: the purregebyr fraction, court fee multiples back to 2016

The reminder fee is now a fraction of the inkassosats (``purregebyr_fraction``: 1/10 for
claims due before 1 Oct 2020, 1/20 from then) and the rettsgebyr multiples of legal steps
go back to 2016 (``docs/money-rules.md``). Loads every row of the shipped files not loaded
yet, as ``ledger_0004`` and ``seed-rates`` do (idempotent; ``_unconfirmed`` rows unconfirmed).

Revision ID: ledger_0007
Revises: ledger_0006
Create Date: 2026-12-06 20:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ledger.adapters.rate_files import read_seed_rates

revision: str = 'ledger_0007'
down_revision: str | None = 'ledger_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ADDED = (
    "(kind = 'purregebyr_fraction') OR (kind = 'rettsgebyr_multiple' AND ("
    "effective_from < DATE '2022-01-01' OR parameter NOT IN"
    " ('legal_step_forliksklage', 'legal_step_utlegg')))"
)


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
    op.execute(f"DELETE FROM rates WHERE origin = 'seed' AND ({_ADDED})")
    op.execute("ALTER TABLE rates ENABLE TRIGGER rates_guard")
