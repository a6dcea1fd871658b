"""cheaper bookings: balance check per entry by index, leaner journal indexes, HOT case updates

The check of ``ledger_0003`` joined the statement's new postings to all postings; the
planner cannot estimate a transition table, and chose a merge or hash join over the whole
``postings`` table, so the check grew with the journal. Now each entry the statement
touched is summed through ``ix_postings_entry_id``: the cost is that of the statement.

Also: the unique index on ``journal_entries.reverses`` covers only reversals (it held a
NULL for every other entry); the unused index on ``(creditor_id, kind)`` goes; and
``ledger_cases`` gets fillfactor 70, so the booking state updated on every payment stays
on its page (HOT updates, no index maintenance).

Revision ID: ledger_0006
Revises: ledger_0005
Create Date: 2026-11-25 10:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'ledger_0006'
down_revision: str | None = 'ledger_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PER_ENTRY = """
CREATE OR REPLACE FUNCTION ledger_check_posted_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced uuid;
BEGIN
    SELECT touched.entry_id INTO unbalanced
      FROM (SELECT DISTINCT entry_id FROM new_postings) touched
     WHERE EXISTS (SELECT 1 FROM postings p
                    WHERE p.entry_id = touched.entry_id
                    GROUP BY p.currency HAVING sum(p.amount_ore) <> 0)
     LIMIT 1;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance', unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
"""

_JOINED = """
CREATE OR REPLACE FUNCTION ledger_check_posted_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced uuid;
BEGIN
    SELECT p.entry_id INTO unbalanced
      FROM postings p
     WHERE p.entry_id IN (SELECT DISTINCT entry_id FROM new_postings)
     GROUP BY p.entry_id, p.currency
    HAVING sum(p.amount_ore) <> 0
     LIMIT 1;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'journal entry % does not balance', unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute(_PER_ENTRY)
    op.drop_constraint('uq_journal_entries_reverses', 'journal_entries', type_='unique')
    op.create_index(
        'uq_journal_entries_reverses', 'journal_entries', ['reverses'], unique=True,
        postgresql_where=sa.text('reverses IS NOT NULL'),
    )
    op.drop_index('ix_journal_entries_creditor_id_kind', table_name='journal_entries')
    op.execute("ALTER TABLE ledger_cases SET (fillfactor = 70)")


def downgrade() -> None:
    op.execute("ALTER TABLE ledger_cases RESET (fillfactor)")
    op.create_index(
        'ix_journal_entries_creditor_id_kind', 'journal_entries', ['creditor_id', 'kind']
    )
    op.drop_index('uq_journal_entries_reverses', table_name='journal_entries')
    op.create_unique_constraint('uq_journal_entries_reverses', 'journal_entries', ['reverses'])
    op.execute(_JOINED)
