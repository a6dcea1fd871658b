"""journal guards: balanced entries, append-only journal, rate rows confirmed only

The journal is enforced by the database, not only by the code:

- every entry balances: a deferred constraint trigger checks at commit that each new
  entry has at least two postings summing to zero per currency, and a statement trigger
  checks the entries a statement added postings to (postings added later must still
  balance; the hash chain finds any that were);
- it is append-only: UPDATE, DELETE and TRUNCATE of entries and postings are refused
  (corrections are reversals);
- a rate row changes only from unconfirmed to confirmed.

Revision ID: ledger_0003
Revises: ledger_0002
Create Date: 2026-11-25 07:05:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'ledger_0003'
down_revision: str | None = 'ledger_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UP = (
    """
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the journal is append-only: % on % refused (book a reversal)',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END $$
    """,
    """
    CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE FUNCTION ledger_check_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        legs bigint;
        unbalanced bigint;
    BEGIN
        SELECT coalesce(sum(n), 0), count(*) FILTER (WHERE total <> 0)
          INTO legs, unbalanced
          FROM (SELECT sum(amount_ore) AS total, count(*) AS n
                  FROM postings WHERE entry_id = NEW.entry_id GROUP BY currency) per_currency;
        IF legs < 2 THEN
            RAISE EXCEPTION 'journal entry % has % posting(s); it needs at least two',
                NEW.entry_id, legs USING ERRCODE = 'check_violation';
        END IF;
        IF unbalanced > 0 THEN
            RAISE EXCEPTION 'journal entry % does not balance', NEW.entry_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER journal_entries_balance AFTER INSERT ON journal_entries
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balances()
    """,
    """
    CREATE FUNCTION ledger_check_posted_balances() RETURNS trigger LANGUAGE plpgsql AS $$
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
    """,
    """
    CREATE TRIGGER postings_balance AFTER INSERT ON postings
        REFERENCING NEW TABLE AS new_postings
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_posted_balances()
    """,
    """
    CREATE FUNCTION ledger_rates_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'rate rows are never deleted (add a newer version)'
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF (NEW.id, NEW.kind, NEW.effective_from, NEW.parameter, NEW.value, NEW.unit,
            NEW.origin, NEW.created_at, NEW.created_by)
           IS DISTINCT FROM
           (OLD.id, OLD.kind, OLD.effective_from, OLD.parameter, OLD.value, OLD.unit,
            OLD.origin, OLD.created_at, OLD.created_by)
           OR NOT (OLD.status = 'unconfirmed' AND NEW.status = 'confirmed') THEN
            RAISE EXCEPTION 'a rate row only changes from unconfirmed to confirmed'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER rates_guard BEFORE UPDATE OR DELETE ON rates
        FOR EACH ROW EXECUTE FUNCTION ledger_rates_guard()
    """,
)

_DOWN = (
    "DROP TRIGGER rates_guard ON rates",
    "DROP TRIGGER postings_balance ON postings",
    "DROP TRIGGER journal_entries_balance ON journal_entries",
    "DROP TRIGGER postings_no_truncate ON postings",
    "DROP TRIGGER postings_append_only ON postings",
    "DROP TRIGGER journal_entries_no_truncate ON journal_entries",
    "DROP TRIGGER journal_entries_append_only ON journal_entries",
    "DROP FUNCTION ledger_rates_guard()",
    "DROP FUNCTION ledger_check_posted_balances()",
    "DROP FUNCTION ledger_check_entry_balances()",
    "DROP FUNCTION ledger_refuse_change()",
)


def upgrade() -> None:
    for statement in _UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in _DOWN:
        op.execute(statement)
