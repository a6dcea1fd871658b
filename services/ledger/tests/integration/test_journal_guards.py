"""The database itself keeps the journal balanced and append-only, whatever the code does."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest
from ledger.bootstrap import LedgerService
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from .books import Ledger

pytestmark = pytest.mark.integration

ENTRY = text(
    "INSERT INTO journal_entries (entry_id, seq, kind, effective_date, recorded_at, metadata,"
    " prev_hash, hash) VALUES (:id, :seq, 'test', '2025-01-01', now(), '{}', '\\x00', '\\x00')"
)
LEG = text(
    "INSERT INTO postings (entry_id, account_kind, holder, amount_ore, currency)"
    " VALUES (:id, 'funds.client_bank', NULL, :amount, 'NOK')"
)


async def _insert(service: LedgerService, *amounts: int) -> uuid.UUID:
    entry_id = uuid.uuid4()
    async with service.session_factory() as session, session.begin():
        seq = (await session.execute(text("SELECT -1 - count(*) FROM journal_entries"))).scalar()
        await session.execute(ENTRY, {"id": entry_id, "seq": seq})
        if amounts:
            await session.execute(
                text(
                    "INSERT INTO postings (entry_id, account_kind, holder, amount_ore, currency)"
                    " SELECT :id, 'funds.client_bank', NULL, a, 'NOK'"
                    " FROM unnest(CAST(:amounts AS bigint[])) a"
                ),
                {"id": entry_id, "amounts": list(amounts)},
            )
    return entry_id


@pytest.fixture(autouse=True)
async def _no_entry_left_outside_the_chain(service: LedgerService) -> AsyncIterator[None]:
    """Entries this module puts beside the chain (negative seq) are taken out again: the
    database is shared with the modules that verify the whole chain (test_cli,
    test_arrival_order), whichever runs first."""
    yield
    async with service.session_factory() as session, session.begin():
        for table in ("postings", "journal_entries"):
            await session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        await session.execute(
            text(
                "DELETE FROM postings WHERE entry_id IN"
                " (SELECT entry_id FROM journal_entries WHERE seq < 0)"
            )
        )
        await session.execute(text("DELETE FROM journal_entries WHERE seq < 0"))
        for table in ("postings", "journal_entries"):
            await session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


async def test_an_unbalanced_entry_is_refused(service: LedgerService) -> None:
    with pytest.raises(DBAPIError, match="does not balance"):
        await _insert(service, 100, -99)


async def test_an_entry_without_postings_is_refused_at_commit(service: LedgerService) -> None:
    with pytest.raises(DBAPIError, match="at least two"):
        await _insert(service)


async def test_postings_added_later_must_still_balance(service: LedgerService) -> None:
    entry_id = await _insert(service, 100, -100)
    with pytest.raises(DBAPIError, match="does not balance"):
        async with service.session_factory() as session, session.begin():
            await session.execute(LEG, {"id": entry_id, "amount": 5})


async def test_the_journal_cannot_be_changed_or_deleted(
    service: LedgerService, ledger: Ledger
) -> None:
    await ledger.case((100_000, date(2025, 1, 1)))
    for statement in (
        "UPDATE postings SET amount_ore = amount_ore + 1",
        "DELETE FROM postings",
        "UPDATE journal_entries SET kind = 'x'",
        "DELETE FROM journal_entries",
        "TRUNCATE postings, journal_entries",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with service.session_factory() as session, session.begin():
                await session.execute(text(statement))


async def test_a_rate_row_only_ever_becomes_confirmed(service: LedgerService) -> None:
    async with service.session_factory() as session:
        rate_id = (
            await session.execute(text("SELECT id FROM rates WHERE status = 'confirmed' LIMIT 1"))
        ).scalar()
    for statement in (
        "UPDATE rates SET value = value + 1 WHERE id = :id",
        "UPDATE rates SET status = 'unconfirmed' WHERE id = :id",
        "DELETE FROM rates WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="rate"):
            async with service.session_factory() as session, session.begin():
                await session.execute(text(statement), {"id": rate_id})
