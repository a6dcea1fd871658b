"""Pooled connections are checked before use without a ping on every checkout.

``servicekit.db.make_engine`` pings a connection only after it has been idle a while (or
refuses it at once when its socket is closed), against the real database: a connection
in steady use costs no extra round trips, one the server ended while it sat in the pool
is replaced before the caller sees it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from servicekit.db import make_engine
from servicekit.testing import infra
from sqlalchemy import text

pytestmark = pytest.mark.integration


@pytest.fixture
async def database_url(infrastructure: None) -> AsyncIterator[str]:
    name = f"{infra.run_database_name('conncheck')}_{uuid.uuid4().hex[:6]}"
    url = await infra.create_database(name)
    yield url
    await infra.drop_database(name)


def count_pings(engine: Any) -> list[int]:
    """Wrap the dialect's ping so the test sees how often it runs."""
    dialect = engine.sync_engine.dialect
    calls = [0]
    real = dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        calls[0] += 1
        result: bool = real(dbapi_connection)
        return result

    dialect.do_ping = ping
    return calls


async def backend_pid(engine: Any) -> int:
    async with engine.connect() as conn:
        pid: int = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    return pid


async def test_a_connection_in_steady_use_is_not_pinged_an_idle_one_is(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, ping_idle_after=0.5)
    pings = count_pings(engine)
    try:
        first = await backend_pid(engine)
        for _ in range(5):
            assert await backend_pid(engine) == first
        assert pings[0] == 0
        await asyncio.sleep(0.8)  # idle past ping_idle_after
        assert await backend_pid(engine) == first
        assert pings[0] == 1
    finally:
        await engine.dispose()


async def test_a_connection_the_server_ended_while_pooled_is_replaced(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, ping_idle_after=60)
    try:
        first = await backend_pid(engine)
        killer = make_engine(database_url, pool_size=1)
        try:
            async with killer.connect() as conn:
                ended = (
                    await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
                ).scalar_one()
            assert ended is True
        finally:
            await killer.dispose()
        await asyncio.sleep(0.2)  # the closed socket is noticed by the idle connection
        second = await backend_pid(engine)  # no error: the dead connection was not handed out
        assert second != first
    finally:
        await engine.dispose()
