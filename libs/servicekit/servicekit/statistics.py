"""Planner statistics kept fresh after bulk changes (ADR 0072).

An import fills a service's tables with tens of thousands of rows within seconds. Until
those tables are analysed, PostgreSQL has no column statistics for them and estimates
``case_id = ANY(:ids)`` with its default selectivity: the consumers' set-based statements
turn into sequential scans of the whole table, batch after batch. Autovacuum analyses a
table only on its next round (a minute apart by default) and not at all where it is off.

So each service's consumer process runs :func:`keep_statistics`: every few seconds it
asks ``pg_stat_user_tables`` which of the service's own tables changed by at least as many
rows as they held when last analysed (and by ``min_changes`` at least), and analyses
those: a table growing from empty is analysed at 2,000, 4,000, 8,000 … rows, about
log₂(n) times. One process per database does it at a time (an advisory lock); it only
reads table names, never rows, and logs nothing else.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit import periodic

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 7_207_202_612
"""One statistics keeper per database at a time (several consumer processes share one)."""

_STALE = text(
    """
    SELECT format('%I.%I', schemaname, relname)
    FROM pg_stat_user_tables
    WHERE n_mod_since_analyze >= :min_changes
      AND n_mod_since_analyze >= :fraction * GREATEST(n_live_tup - n_mod_since_analyze, 0)
    ORDER BY n_mod_since_analyze DESC
    LIMIT :most
    """
)


async def analyze_stale(
    engine: AsyncEngine, *, min_changes: int = 2000, fraction: float = 1.0, most: int = 16
) -> list[str]:
    """Analyse the tables whose statistics the changes since their last ANALYZE outgrew.

    ``fraction`` is of the rows a table held at its last ANALYZE (1.0: it doubled). Returns
    the tables analysed, ``[]`` when another process holds the keeper's lock.
    """
    async with engine.connect() as connection, connection.begin():
        locked = await connection.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        )
        if not locked:
            return []
        found = await connection.execute(
            _STALE, {"min_changes": min_changes, "fraction": fraction, "most": most}
        )
        tables = [str(name) for name in found.scalars()]
        for table in tables:  # quoted by format('%I.%I') from the catalogue's own names
            await connection.execute(text(f"ANALYZE {table}"))
    return tables


async def keep_statistics(
    engine: AsyncEngine, stop: asyncio.Event, *, interval: float = 5.0, min_changes: int = 2000
) -> None:
    """Run :func:`analyze_stale` every ``interval`` seconds until ``stop`` is set."""

    async def refresh() -> None:
        if analysed := await analyze_stale(engine, min_changes=min_changes):
            log.info("planner statistics refreshed", extra={"tables": analysed})

    await periodic.every(interval, stop, refresh, failed="planner statistics not refreshed")
