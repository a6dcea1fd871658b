"""confirmed rate rows cite primary sources: a new version of each that did not

The shipped rate files now cite Lovdata, regjeringen.no, Finanstilsynet or
Domstoladministrasjonen for every confirmed figure (issue 16 § 6). A database seeded
before gets a new, confirmed version of each figure whose newest version cites another
page: same value, the primary source (``ledger.adapters.rate_sources``). Nothing is
edited; the versions added have ``origin = 'correction'``.

Revision ID: ledger_0012_primary_rate_sources
Revises: ledger_0011_claim_reminders
Create Date: 2026-12-07 02:10:00
"""

from collections.abc import Sequence

from alembic import op

from ledger.adapters.rate_sources import correct_sources

revision: str = "ledger_0012_primary_rate_sources"
down_revision: str | None = "ledger_0011_claim_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    correct_sources(op.get_bind())


def downgrade() -> None:
    op.execute("ALTER TABLE rates DISABLE TRIGGER rates_guard")
    op.execute("DELETE FROM rates WHERE origin = 'correction'")
    op.execute("ALTER TABLE rates ENABLE TRIGGER rates_guard")
