"""How long an ``Idempotency-Key``'s answer is kept (``servicekit.idempotency``).

Every POST sent with a key leaves a row in the service's ``idempotency_keys``: the key,
the request's fingerprint and the answer. A client retries within minutes or hours, so the
rows are kept for a retention period (a week by default) and then deleted: a key sent
again after that is a new request. Each service's consumer process runs
:func:`keep_keys_purged`; several processes of one service may do it at once (the rows
they take are locked, the others skip them), in batches so that no transaction holds many
rows. Only counts are logged, never keys (a key may be a client's invoice number).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit import periodic

log = logging.getLogger(__name__)

PURGE_BATCH = 5_000
"""Rows deleted per transaction."""

_PURGE = text(
    """
    DELETE FROM idempotency_keys
    WHERE (scope, key) IN (
        SELECT scope, key FROM idempotency_keys
        WHERE created_at < now() - make_interval(secs => :retention_seconds)
        ORDER BY created_at
        LIMIT :batch
        FOR UPDATE SKIP LOCKED
    )
    """
)


async def purge_expired_keys(
    engine: AsyncEngine, *, retention: timedelta, batch: int = PURGE_BATCH
) -> int:
    """Delete the keys older than ``retention``, ``batch`` rows per transaction; how many."""
    purged = 0
    while True:
        async with engine.begin() as connection:
            result = await connection.execute(
                _PURGE, {"retention_seconds": retention.total_seconds(), "batch": batch}
            )
        deleted = int(result.rowcount)
        purged += deleted
        if deleted < batch:
            return purged


async def keep_keys_purged(
    engine: AsyncEngine, stop: asyncio.Event, *, retention: timedelta, interval: float
) -> None:
    """Run :func:`purge_expired_keys` now and every ``interval`` seconds until ``stop``."""

    async def purge() -> None:
        if purged := await purge_expired_keys(engine, retention=retention):
            log.info("expired idempotency keys purged", extra={"count": purged})

    await periodic.every(interval, stop, purge, failed="expired idempotency keys not purged")
