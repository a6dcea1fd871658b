"""The planner's statistics after a bulk change (``servicekit.statistics``, ADR 0072),
against PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from servicekit.db import make_engine
from servicekit.statistics import ADVISORY_LOCK_KEY, analyze_stale
from servicekit.testing import infra
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(infrastructure: None) -> AsyncIterator[AsyncEngine]:
    name = f"{infra.run_database_name('stats')}_{uuid.uuid4().hex[:6]}"
    engine = make_engine(await infra.create_database(name), pool_size=3)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE bulk (id uuid PRIMARY KEY, owner uuid NOT NULL)"))
        await conn.execute(text("CREATE INDEX ix_bulk_owner ON bulk (owner)"))
        await conn.execute(text('CREATE TABLE "Quiet table" (id int PRIMARY KEY)'))
    yield engine
    await engine.dispose()
    await infra.drop_database(name)


async def insert(engine: AsyncEngine, rows: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO bulk SELECT gen_random_uuid(), gen_random_uuid() "
                "FROM generate_series(1, :rows)"
            ),
            {"rows": rows},
        )
        await conn.execute(text('INSERT INTO "Quiet table" VALUES (:n)'), {"n": rows})
        await conn.execute(text("SELECT pg_stat_force_next_flush()"))


async def analysed(engine: AsyncEngine) -> dict[str, bool]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables")
        )
        return {str(name): bool(done) for name, done in rows}


async def planned_scan(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        plan = await conn.scalar(
            text("EXPLAIN (FORMAT JSON) SELECT id FROM bulk WHERE owner = ANY(:owners)"),
            {"owners": [uuid.uuid4() for _ in range(128)]},  # a consumer's batch
        )
    node = plan[0]["Plan"]
    while node.get("Plans") and node["Node Type"] not in ("Seq Scan", "Bitmap Heap Scan"):
        node = node["Plans"][-1]
    return str(node["Node Type"])


async def test_a_table_filled_in_bulk_is_analysed_and_then_planned_with_its_index(
    engine: AsyncEngine,
) -> None:
    await insert(engine, 100_000)
    assert await planned_scan(engine) == "Seq Scan"  # no statistics: the default guess

    assert await analyze_stale(engine) == ["public.bulk"]  # the one-row table is left
    assert await analysed(engine) == {"bulk": True, "Quiet table": False}
    assert await planned_scan(engine) != "Seq Scan"
    assert await analyze_stale(engine) == []  # nothing changed since


async def test_a_table_is_analysed_again_once_it_doubled(engine: AsyncEngine) -> None:
    await insert(engine, 4_000)
    assert await analyze_stale(engine) == ["public.bulk"]
    await insert(engine, 3_000)
    assert await analyze_stale(engine) == []  # 3,000 changes on 4,000 rows
    await insert(engine, 1_000)
    assert await analyze_stale(engine) == ["public.bulk"]


async def test_one_keeper_per_database_at_a_time(engine: AsyncEngine) -> None:
    await insert(engine, 5_000)
    async with engine.connect() as other, other.begin():
        await other.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
        assert await analyze_stale(engine) == []
    assert await analyze_stale(engine) == ["public.bulk"]


async def test_names_that_need_quoting_are_analysed(engine: AsyncEngine) -> None:
    await insert(engine, 1)
    async with engine.begin() as conn:
        await conn.execute(text('INSERT INTO "Quiet table" SELECT generate_series(10, 3009)'))
        await conn.execute(text("SELECT pg_stat_force_next_flush()"))
    assert await analyze_stale(engine) == ['public."Quiet table"']
