"""OpenTelemetry traces and JSON logs with trace ids (and no personal data)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

_configured = False


def setup_tracing(
    service_name: str,
    *,
    otlp_endpoint: str | None = None,
    exporter: SpanExporter | None = None,
    process: str | None = None,
) -> TracerProvider:
    """Install the tracer provider once per process.

    ``otlp_endpoint`` exports over OTLP/HTTP; ``exporter`` (for example an
    ``InMemorySpanExporter`` in tests) is attached synchronously. ``process`` (api, relay,
    consumer) is recorded as the resource attribute ``infocenter.process``.
    """
    global _configured
    current = trace.get_tracer_provider()
    if _configured and isinstance(current, TracerProvider):
        if exporter is not None:
            current.add_span_processor(SimpleSpanProcessor(exporter))
        return current
    attributes = {"service.name": service_name}
    if process:
        attributes["infocenter.process"] = process
    provider = TracerProvider(resource=Resource.create(attributes))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint), schedule_delay_millis=500)
        )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured = True
    return provider


def instrument_sqlalchemy(engine: Any) -> None:
    """Trace database statements (statement text only, never bound parameters)."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, enable_commenter=False)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line with the current trace and span ids.

    Only the message and the explicit ``extra`` fields listed in ``SAFE_FIELDS`` are
    written: callers log identifiers, never personal data.
    """

    SAFE_FIELDS = (
        "event_id",
        "event_type",
        "queue",
        "handler",
        "case_id",
        "organisation_id",
        "request_id",
        "status",
        "method",
        "path",
        "duration_ms",
        "count",
        "attempt",
    )

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        span = trace.get_current_span().get_span_context()
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service_name,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        for name in self.SAFE_FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def setup_logging(service_name: str, level: str = "INFO") -> None:
    """JSON logs on stderr for the whole process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter(service_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika", "uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
