"""Small pure pieces of servicekit: topology names, outage detection, JSON logs."""

from __future__ import annotations

import json
import logging

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from servicekit.bus.topology import QueueSpec, Topology
from servicekit.db import is_database_unavailable
from servicekit.telemetry import JsonLogFormatter
from sqlalchemy.exc import OperationalError, ProgrammingError

pytestmark = pytest.mark.unit


def test_topology_names_live_under_the_namespace() -> None:
    spec = QueueSpec("cases.events", ("auth.organisation.registered.v1",), (0.5, 5.0, 30.0))
    topology = Topology("t1.", (spec,))
    assert topology.exchange == "t1.events"
    assert topology.dead_letter_exchange == "t1.events.dlx"
    assert topology.queue_name(spec) == "t1.cases.events"
    assert topology.dlq_name(spec) == "t1.cases.events.dlq"
    assert topology.retry_queue_name(spec, 1) == "t1.cases.events.retry.500ms"
    assert topology.retry_queue_name(spec, 3) == "t1.cases.events.retry.30s"


def test_database_outage_is_told_apart_from_bugs() -> None:
    refused = OperationalError("connect", {}, ConnectionRefusedError(111, "refused"))
    assert is_database_unavailable(refused)
    assert is_database_unavailable(ConnectionResetError())
    outer = RuntimeError("while committing")
    outer.__cause__ = OSError(104, "reset")
    assert is_database_unavailable(outer)
    assert not is_database_unavailable(ValueError("bad data"))
    assert not is_database_unavailable(ProgrammingError("SELECT", {}, Exception("syntax error")))


def test_json_log_lines_carry_trace_ids_and_only_safe_fields() -> None:
    provider = TracerProvider()
    tracer = provider.get_tracer("test")
    formatter = JsonLogFormatter("cases-api")
    with tracer.start_as_current_span("work") as span:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "case registered", None, None)
        record.case_id = "c-1"
        record.national_id = "01017012345"  # never written: not a safe field
        line = json.loads(formatter.format(record))
        expected_trace = format(span.get_span_context().trace_id, "032x")
    assert line["trace_id"] == expected_trace
    assert line["service"] == "cases-api"
    assert line["case_id"] == "c-1"
    assert "national_id" not in line
    assert "01017012345" not in json.dumps(line)
    assert trace.get_current_span().get_span_context().is_valid is False
