"""Reads on the driver (``servicekit.reads``): a statement compiled once, its own
transaction, a span per statement, and what it refuses to compile (against PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from servicekit.db import (
    make_engine,
    make_metadata,
    make_read_session_factory,
    make_session_factory,
)
from servicekit.reads import Prepared, Query, reading
from servicekit.telemetry import SqlSpans
from servicekit.testing import infra
from servicekit.testing.wait import wait_for
from sqlalchemy import (
    ARRAY,
    Column,
    DateTime,
    Integer,
    PickleType,
    String,
    Table,
    Uuid,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = pytest.mark.integration

metadata = make_metadata()
things = Table(
    "things",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner", Uuid, nullable=False),
    Column("name", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", JSONB),
    Column("n", Integer),
)
OWNED = (
    select(things.c.id, things.c.name, things.c.at, literal("kept").label("tag"))
    .where(things.c.owner == bindparam("owner"))
    .order_by(things.c.name)
    .limit(bindparam("rows", type_=Integer))
)


@pytest.fixture
async def engine(infrastructure: None) -> AsyncIterator[tuple[AsyncEngine, InMemorySpanExporter]]:
    name = f"{infra.run_database_name('reads')}_{uuid.uuid4().hex[:6]}"
    engine = make_engine(await infra.create_database(name), pool_size=2)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine.sync_engine._servicekit_sql_spans = SqlSpans(  # type: ignore[attr-defined]
        engine.sync_engine, provider.get_tracer("test")
    )
    yield engine, exporter
    await engine.dispose()
    await infra.drop_database(name)


async def test_a_prepared_read_answers_its_rows_in_a_span_of_its_own(
    engine: tuple[AsyncEngine, InMemorySpanExporter],
) -> None:
    db, exporter = engine
    owner, other = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    async with db.begin() as conn:
        await conn.execute(
            insert(things),
            [
                {"id": uuid.uuid4(), "owner": o, "name": name, "at": now}
                for o, name in ((owner, "b"), (owner, "a"), (owner, "c"), (other, "x"))
            ],
        )
    owned = Prepared(OWNED, db.dialect)
    async with reading(db) as read:
        rows = await read.fetch(owned, {"owner": owner, "rows": 2})
    assert [(r["name"], r["tag"], r["at"]) for r in rows] == [
        ("a", "kept", now),
        ("b", "kept", now),
    ]
    assert isinstance(rows[0]["id"], uuid.UUID)
    (span,) = exporter.get_finished_spans()
    assert (span.name, span.kind) == ("SELECT", SpanKind.CLIENT)
    assert span.attributes is not None
    assert span.attributes["db.statement"] == owned.sql
    assert str(owner) not in str(span.attributes)
    with pytest.raises(KeyError):
        owned.arguments({"owner": owner})


async def test_a_prepared_write_is_its_own_transaction_and_a_failure_ends_its_span(
    engine: tuple[AsyncEngine, InMemorySpanExporter],
) -> None:
    db, exporter = engine
    add = Prepared(
        insert(things)
        .values(
            id=bindparam("id"),
            owner=bindparam("owner"),
            name=bindparam("name"),
            at=bindparam("at"),
            detail=bindparam("detail"),
        )
        .returning(things.c.detail),
        db.dialect,
    )
    thing = {"id": uuid.uuid4(), "owner": uuid.uuid4(), "name": "a", "at": datetime.now(UTC)}
    async with reading(db) as read:
        (row,) = await read.fetch(add, {**thing, "detail": {"why": "listed"}})
        assert row["detail"] == {"why": "listed"}  # the JSONB bind processor ran
        with pytest.raises(Exception, match="duplicate key"):
            await read.fetch(add, {**thing, "detail": None})
    async with db.connect() as conn:  # committed by the statement itself
        assert (await conn.execute(text("SELECT count(*) FROM things"))).scalar() == 1
    failed = exporter.get_finished_spans()[-1]
    assert failed.status.status_code is StatusCode.ERROR


def test_what_needs_sqlalchemy_at_run_time_is_refused_when_prepared(
    engine: tuple[AsyncEngine, InMemorySpanExporter],
) -> None:
    db, _ = engine
    with pytest.raises(ValueError, match="expanding"):
        Prepared(
            select(things.c.id).where(things.c.id.in_(bindparam("ids", expanding=True))), db.dialect
        )
    other = Table(
        "other", make_metadata(), Column("p", PickleType), Column("tags", ARRAY(String(20)))
    )
    with pytest.raises(ValueError, match="result processing"):
        Prepared(select(other.c.p), db.dialect)
    Prepared(select(other.c.tags), db.dialect)  # asyncpg's list is what SQLAlchemy gives


async def test_a_read_session_runs_each_statement_as_its_own_transaction(
    engine: tuple[AsyncEngine, InMemorySpanExporter],
) -> None:
    """No BEGIN: two statements, two transactions (in a block they share one)."""
    db, _ = engine
    xid = text("SELECT txid_current()")
    async with make_read_session_factory(db)() as session:
        first, second = [(await session.execute(xid)).scalar() for _ in range(2)]
        assert first != second
    async with make_session_factory(db)() as session:
        first, second = [(await session.execute(xid)).scalar() for _ in range(2)]
        assert first == second


async def _sleeping(db: AsyncEngine) -> bool:
    async with db.connect() as conn:
        running = text(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
            "AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()"
        )
        return bool((await conn.execute(running)).scalar())


async def test_a_read_cancelled_half_way_does_not_leave_its_connection_to_the_next(
    engine: tuple[AsyncEngine, InMemorySpanExporter],
) -> None:
    db, exporter = engine
    slow, quick = Query(select(func.pg_sleep(30))), Query(select(literal(1).label("one")))
    started = asyncio.Event()

    async def read_slowly() -> None:
        async with reading(db) as read:
            started.set()
            await read.fetch(slow, {})

    for _ in range(3):  # more than the pool holds: each time the same connection, if kept
        started.clear()
        task = asyncio.create_task(read_slowly())
        await started.wait()
        await wait_for(lambda: _sleeping(db), what="PostgreSQL to run the statement", every=0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with reading(db) as read:
            assert [r["one"] for r in await read.fetch(quick, {})] == [1]
    cancelled = [s for s in exporter.get_finished_spans() if "pg_sleep" in str(s.attributes)]
    assert len(cancelled) == 3
    assert all(s.status.status_code is StatusCode.ERROR for s in cancelled)
