"""OpenTelemetry traces and JSON logs with trace ids (and no personal data)."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Status, StatusCode
from sqlalchemy import event

from servicekit.context import correlation_id
from servicekit.scrub import ScrubbingFilter, scrub, scrub_value

_configured = False


class ScrubbingSpanExporter(SpanExporter):
    """Exports copies of the spans with :func:`servicekit.scrub.scrub` applied to the
    name, every attribute, every event's attributes (recorded exceptions: message and
    stack trace) and the status description (SQLAlchemy puts the driver's error there).

    Instrumentations record what they see: a URL with its query string, an error message
    that quotes a row. This keeps personal data out of every trace backend.
    """

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([scrubbed_span(span) for span in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def scrubbed_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of ``span`` with its name, attributes, events and status scrubbed."""
    status = span.status
    if status.description:
        status = Status(status.status_code, scrub(status.description))
    return ReadableSpan(
        name=scrub(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_value(dict(span.attributes or {})),
        events=[
            Event(e.name, scrub_value(dict(e.attributes or {})), e.timestamp, limit=None)
            for e in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


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
            current.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(exporter)))
        return current
    attributes = {"service.name": service_name}
    if process:
        attributes["infocenter.process"] = process
    provider = TracerProvider(resource=Resource.create(attributes))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(
                ScrubbingSpanExporter(OTLPSpanExporter(endpoint=otlp_endpoint)),
                schedule_delay_millis=500,
            )
        )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(exporter)))
    trace.set_tracer_provider(provider)
    _configured = True
    return provider


ROUTE_NAMES_PER_APP = 4096
"""How many (method, path) → route answers an app keeps for its span names."""

_ROUTE_NAMES = "_servicekit_route_names"

_UUID_SEGMENT = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=/|$)")
"""A path segment that is a UUID as clients send them (lower case): only a path parameter
matches one (no route has such a literal segment), and every such UUID matches the same
parameters (``str``, ``path`` and Starlette's ``uuid`` convertor alike), so every id
there finds the same route: one answer for all of them."""


def _remembering(find: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    def route_details(scope: Any) -> str | None:
        app = scope.get("app")
        if app is None:
            return find(scope)
        names: OrderedDict[tuple[Any, ...], str | None] | None = app.__dict__.get(_ROUTE_NAMES)
        if names is None:
            names = app.__dict__.setdefault(_ROUTE_NAMES, OrderedDict())
        path = scope.get("path")
        if isinstance(path, str) and "-" in path:
            path = _UUID_SEGMENT.sub("/{uuid}", path)
        key = (scope.get("type"), scope.get("method"), scope.get("root_path"), path)
        if key in names:
            return names[key]
        route = find(scope)
        names[key] = route
        while len(names) > ROUTE_NAMES_PER_APP:
            names.popitem(last=False)
        return route

    route_details.__servicekit_remembering__ = True  # type: ignore[attr-defined]
    return route_details


def remember_route_names() -> None:
    """Make the FastAPI instrumentation's span names cheap: it finds a request's route
    (``GET /api/v1/cases/{case_id}``) by matching the path against every route of the
    app, on every request (~10 % of the gateway's CPU under load, bench/README.md). The
    answer depends only on the method and the path, so it is remembered per app (at most
    :data:`ROUTE_NAMES_PER_APP` paths, oldest forgotten first), and a UUID in the path
    counts as any UUID (a case read by id would otherwise miss every time: ~160 µs in the
    cases app, more in the gateway). Same span names as before.
    """
    from opentelemetry.instrumentation import fastapi as instrumentation

    find = getattr(instrumentation, "_get_route_details", None)
    if find is None or getattr(find, "__servicekit_remembering__", False):
        return  # another version of the instrumentation: leave it as it is
    setattr(instrumentation, "_get_route_details", _remembering(find))  # noqa: B010


SQL_SPAN_NAMES = 1024
"""How many statement texts :class:`SqlSpans` keeps their span name and attributes for."""


class SqlSpans:
    """A client span per SQL statement: named by its first word (``SELECT``), with
    ``db.system``, ``db.name``, ``db.user``, ``net.peer.name``, ``net.peer.port``,
    ``db.operation`` and ``db.statement`` (the text, never the bound parameters), and the
    error as its status. The same spans as OpenTelemetry's SQLAlchemy instrumentation,
    without its cost: it parsed the statement and the URL again on every execution
    (~100 µs a statement, with ~70 µs more for the span's context; bench/README.md,
    credit_orders); here the name and attributes are worked out once per statement text
    (at most :data:`SQL_SPAN_NAMES`), and the span is never made current (nothing runs
    inside it). No ``connect`` span per checkout: the pool's wait is in its metrics.
    """

    def __init__(self, engine: Any, tracer: trace.Tracer | None = None) -> None:
        self.tracer = tracer or trace.get_tracer("servicekit.sql")
        url = engine.url
        self.system = engine.dialect.name
        self.base: dict[str, Any] = {
            k: v
            for k, v in (
                ("net.peer.name", url.host),
                ("net.peer.port", url.port),
                ("db.name", url.database),
                ("db.user", url.username),
            )
            if v
        }
        self.base["db.system"] = self.system
        self.known: dict[str, tuple[str, dict[str, Any]]] = {}

    def describe(self, statement: str) -> tuple[str, dict[str, Any]]:
        known = self.known.get(statement)
        if known is not None:
            return known
        words = _LEADING_COMMENTS.sub("", statement).split(None, 1)
        operation = words[0] if words else ""
        attributes = {**self.base, "db.statement": statement}
        if operation:
            attributes["db.operation"] = operation
        known = (operation or self.system, attributes)
        if len(self.known) < SQL_SPAN_NAMES:
            self.known[statement] = known
        return known

    def start(self, name: str, attributes: dict[str, Any]) -> trace.Span:
        """A statement's span (described by :meth:`describe`), not made current."""
        return self.tracer.start_span(name, kind=trace.SpanKind.CLIENT, attributes=attributes)

    def before(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if context is None:
            return
        context._servicekit_span = self.start(*self.describe(statement))

    @staticmethod
    def after(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        span = getattr(context, "_servicekit_span", None)
        if span is not None:
            context._servicekit_span = None
            span.end()

    @staticmethod
    def failed(exception_context: Any) -> None:
        context = exception_context.execution_context
        span = getattr(context, "_servicekit_span", None)
        if span is None:
            return
        context._servicekit_span = None
        if span.is_recording():
            span.set_status(Status(StatusCode.ERROR, str(exception_context.original_exception)))
        span.end()


_LEADING_COMMENTS = re.compile(r"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*", re.DOTALL)


def instrument_sqlalchemy(engine: Any) -> None:
    """Trace database statements (statement text only, never bound parameters): a span
    per statement (:class:`SqlSpans`), once per engine."""
    sync_engine = getattr(engine, "sync_engine", engine)
    if getattr(sync_engine, "_servicekit_sql_spans", None) is not None:
        return
    spans = SqlSpans(sync_engine)
    event.listen(sync_engine, "before_cursor_execute", spans.before)
    event.listen(sync_engine, "after_cursor_execute", spans.after)
    event.listen(sync_engine, "handle_error", spans.failed)
    sync_engine._servicekit_sql_spans = spans


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line with the current trace and span ids.

    Only the message and the explicit ``extra`` fields listed in ``SAFE_FIELDS`` are
    written: callers log identifiers, never personal data. The request id of the request
    being served (or the correlation id of the event being handled) is added when there
    is one. What reaches the formatter has passed :class:`~servicekit.scrub.ScrubbingFilter`.
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
        current_request = correlation_id.get()
        if current_request is not None:
            entry["request_id"] = str(current_request)
        for name in self.SAFE_FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str)


class ScrubbedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler whose own failure report is scrubbed too.

    When writing a record fails (a closed stream, a full disk), ``logging`` prints the
    failure with the exception being handled, which chains the record's own exception
    (a driver's error with its ``DETAIL:`` line) in clear, straight to stderr.
    """

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if not logging.raiseExceptions:
            return
        with contextlib.suppress(Exception):
            report = f"--- Logging error ---\n{traceback.format_exc()}"
            sys.stderr.write(scrub(report))


UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
"""uvicorn configures these with handlers of its own before it loads the app."""


def setup_logging(service_name: str, level: str = "INFO") -> None:
    """JSON logs on stderr for the whole process, scrubbed of personal data.

    One handler on the root logger; uvicorn's loggers lose their own handlers and
    propagate to it (so a crash uvicorn reports is JSON and scrubbed too), and every
    handler any library added before this call gets the :class:`ScrubbingFilter`.
    Uncaught exceptions (main thread and other threads) and warnings go through logging
    instead of straight to stderr.
    """
    scrubber = ScrubbingFilter()
    handler = ScrubbedStreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter(service_name))
    handler.addFilter(scrubber)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    for noisy in ("aiormq", "aio_pika", "uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for known in logging.root.manager.loggerDict.values():
        if isinstance(known, logging.Logger):
            for other in known.handlers:
                if not any(isinstance(f, ScrubbingFilter) for f in other.filters):
                    other.addFilter(scrubber)
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("uncaught").critical("uncaught exception", exc_info=(kind, value, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    logging.getLogger("uncaught").critical(
        "uncaught exception in thread %s",
        args.thread.name if args.thread else "?",
        exc_info=args.exc_value,
    )
