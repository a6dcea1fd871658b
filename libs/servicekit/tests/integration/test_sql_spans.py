"""A span per SQL statement, with the statement's text and never its parameters
(against PostgreSQL, as the services run it)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from servicekit.telemetry import SqlSpans
from servicekit.testing import infra
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

pytestmark = pytest.mark.integration


@pytest.fixture
async def traced(infrastructure: None) -> AsyncIterator[tuple[AsyncEngine, InMemorySpanExporter]]:
    name = f"{infra.run_database_name('spans')}_{uuid.uuid4().hex[:6]}"
    engine = create_async_engine(await infra.create_database(name))
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    spans = SqlSpans(engine.sync_engine, provider.get_tracer("test"))
    event.listen(engine.sync_engine, "before_cursor_execute", spans.before)
    event.listen(engine.sync_engine, "after_cursor_execute", spans.after)
    event.listen(engine.sync_engine, "handle_error", spans.failed)
    async with engine.begin() as conn:  # the dialect's own first queries, before the clock
        await conn.execute(text("SELECT 1"))
    exporter.clear()
    yield engine, exporter
    await engine.dispose()
    await infra.drop_database(name)


async def test_each_statement_is_a_client_span_named_by_its_operation(
    traced: tuple[AsyncEngine, InMemorySpanExporter],
) -> None:
    engine, exporter = traced
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (n TEXT)"))
        for secret in ("12345678903", "98765432109"):
            await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": secret})
        (await conn.execute(text("/* why */ SELECT n FROM t"))).all()

    spans = [s for s in exporter.get_finished_spans() if s.name not in ("BEGIN", "COMMIT")]
    assert [s.name for s in spans] == ["CREATE", "INSERT", "INSERT", "SELECT"]
    insert = spans[1]
    assert insert.kind is SpanKind.CLIENT
    assert insert.attributes is not None
    assert insert.attributes["db.system"] == "postgresql"
    assert insert.attributes["db.operation"] == "INSERT"
    assert insert.attributes["db.statement"] == "INSERT INTO t VALUES ($1)"
    assert not any("12345678903" in str(v) for s in spans for v in (s.attributes or {}).values())
    assert all(s.end_time is not None for s in spans)


async def test_a_failed_statement_ends_its_span_with_the_error(
    traced: tuple[AsyncEngine, InMemorySpanExporter],
) -> None:
    engine, exporter = traced
    async with engine.connect() as conn:
        with pytest.raises(DBAPIError, match="does not exist"):
            await conn.execute(text("SELECT * FROM missing"))

    (span,) = [s for s in exporter.get_finished_spans() if "missing" in str(s.attributes)]
    assert span.status.status_code is StatusCode.ERROR
    assert "does not exist" in (span.status.description or "")
