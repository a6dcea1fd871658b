"""Expired Idempotency-Keys are deleted (``servicekit.idempotency_retention``), against
PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from servicekit.db import make_engine
from servicekit.idempotency import idempotency_table
from servicekit.idempotency_retention import keep_keys_purged, purge_expired_keys
from servicekit.testing import infra
from servicekit.testing.wait import wait_for
from sqlalchemy import MetaData, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

keys = idempotency_table(MetaData())


@pytest.fixture
async def engine(infrastructure: None) -> AsyncIterator[AsyncEngine]:
    name = f"{infra.run_database_name('idem')}_{uuid.uuid4().hex[:6]}"
    engine = make_engine(await infra.create_database(name), pool_size=3)
    async with engine.begin() as conn:
        await conn.run_sync(keys.metadata.create_all)
    yield engine
    await engine.dispose()
    await infra.drop_database(name)


async def add_keys(engine: AsyncEngine, count: int, *, age: timedelta, scope: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, status_code, response, "
                "created_at) SELECT :scope, 'key-' || n, repeat('0', 64), 201, '{}'::jsonb, "
                "now() - make_interval(secs => :age) FROM generate_series(1, :count) AS n"
            ),
            {"scope": scope, "age": age.total_seconds(), "count": count},
        )


async def scopes_left(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(keys.c.scope, func.count()).group_by(keys.c.scope))
        return {str(scope): int(count) for scope, count in rows}


async def test_keys_past_the_retention_are_deleted_in_batches_and_the_rest_kept(
    engine: AsyncEngine,
) -> None:
    week = timedelta(days=7)
    await add_keys(engine, 1_203, age=week + timedelta(minutes=1), scope="expired")
    await add_keys(engine, 40, age=week - timedelta(minutes=1), scope="kept")
    await add_keys(engine, 15, age=timedelta(0), scope="new")

    purged = await purge_expired_keys(engine, retention=week, batch=500)

    assert purged == 1_203
    assert await scopes_left(engine) == {"kept": 40, "new": 15}
    assert await purge_expired_keys(engine, retention=week, batch=500) == 0


async def test_the_consumers_keeper_purges_at_once_and_stops_when_asked(
    engine: AsyncEngine,
) -> None:
    await add_keys(engine, 30, age=timedelta(hours=2), scope="expired")
    await add_keys(engine, 5, age=timedelta(0), scope="new")
    stop = asyncio.Event()
    keeper = asyncio.create_task(
        keep_keys_purged(engine, stop, retention=timedelta(hours=1), interval=3600)
    )
    try:

        async def only_new_left() -> bool:
            return await scopes_left(engine) == {"new": 5}

        await wait_for(only_new_left, what="the expired keys purged")
    finally:
        stop.set()
        await asyncio.wait_for(keeper, timeout=10)
