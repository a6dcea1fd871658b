"""A span per SQL statement, with the statement's text and never its parameters."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from servicekit.telemetry import SqlSpans
from sqlalchemy import create_engine, event, text

pytestmark = pytest.mark.unit


@pytest.fixture
def traced() -> tuple[object, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine = create_engine("sqlite://")
    spans = SqlSpans(engine, provider.get_tracer("test"))
    event.listen(engine, "before_cursor_execute", spans.before)
    event.listen(engine, "after_cursor_execute", spans.after)
    event.listen(engine, "handle_error", spans.failed)
    return engine, exporter


def test_each_statement_is_a_client_span_named_by_its_operation(traced: tuple) -> None:
    engine, exporter = traced
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (n TEXT)"))
        for secret in ("12345678903", "98765432109"):
            conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": secret})
        conn.execute(text("/* why */ SELECT n FROM t")).all()

    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["CREATE", "INSERT", "INSERT", "SELECT"]
    insert = spans[1]
    assert insert.kind is SpanKind.CLIENT
    assert insert.attributes is not None
    assert insert.attributes["db.system"] == "sqlite"
    assert insert.attributes["db.operation"] == "INSERT"
    assert insert.attributes["db.statement"] == "INSERT INTO t VALUES (?)"
    assert not any("12345678903" in str(v) for s in spans for v in (s.attributes or {}).values())
    assert all(s.end_time is not None for s in spans)


def test_a_failed_statement_ends_its_span_with_the_error(traced: tuple) -> None:
    engine, exporter = traced
    with engine.connect() as conn, pytest.raises(Exception, match="no such table"):
        conn.execute(text("SELECT * FROM missing"))

    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert "no such table" in (span.status.description or "")
