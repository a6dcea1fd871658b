"""Personal data never reaches a log line or an exported span (issue 18, finding 3)."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode
from servicekit.scrub import NATIONAL_ID_MASK, ScrubbingFilter, scrub
from servicekit.telemetry import (
    UVICORN_LOGGERS,
    JsonLogFormatter,
    ScrubbingSpanExporter,
    setup_logging,
)
from servicekit.testing.data import national_identity_number

pytestmark = pytest.mark.unit

FNR = national_identity_number()
D_NUMBER = national_identity_number(d_number=True)


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        (f"debtor {FNR} registered", FNR, "debtor"),
        (f"d-nummer {D_NUMBER}", D_NUMBER, "d-nummer"),
        (f"spaced {FNR[:6]} {FNR[6:]}", FNR[6:], "spaced"),
        (f"/api/v1/cases?q={FNR}&page=2", FNR, "page=2"),
        ("konto 12345678903 betalt", "12345678903", "betalt"),  # a bank account: masked too
        (
            'duplicate key value violates unique constraint "uq_cases_ref"\n'
            f"DETAIL:  Key (organisation_id, creditor_reference)=(7, {FNR}) already exists.",
            "creditor_reference)=(7,",
            "uq_cases_ref",
        ),
        (
            f"DETAIL:  Failing row contains (1, Kari Nordmann, {FNR}).",
            "Kari Nordmann",
            "DETAIL:",
        ),
        (
            "[SQL: INSERT INTO notes (body) VALUES ($1)]\n[parameters: ('Kari Nordmann',)]",
            "Kari Nordmann",
            "INSERT INTO notes",
        ),
        (
            "1 validation error for Debtor\nname\n  String should have at most 3 characters "
            "[type=string_too_long, input_value='Kari Nordmann', input_type=str]",
            "Kari Nordmann",
            "input_type=str",
        ),
        ("sign-in failed for kari.nordmann@nordlys.example", "kari.nordmann", "@nordlys.example"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123", "abcdefghijklmnop", "Bearer"),
        ("token eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "eyJzdWIiOiJ4In0", "token"),
    ],
    # fixed names: the generated identity numbers differ per process (pytest-xdist workers
    # must collect the same test ids)
    ids=[
        "fnr",
        "d-number",
        "spaced-fnr",
        "fnr-in-query",
        "bank-account",
        "unique-violation-detail",
        "failing-row-detail",
        "sql-parameters",
        "validation-input",
        "e-mail",
        "bearer-token",
        "jwt",
    ],
)
def test_personal_data_and_secrets_are_masked(text: str, gone: str, kept: str) -> None:
    scrubbed = scrub(text)
    assert gone not in scrubbed
    assert kept in scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "case 4f3c2a1b-0d9e-4c8b-9a7f-001234567890 settled",  # a UUID's last group: 12 digits
        "organisation 987654321",  # an organisasjonsnummer is not personal data
        "KID 0012345678901234 matched",  # longer than 11 digits
        "took 12.5 ms at 2026-12-06T16:47:26.123+00:00, 3 of 250000 rows",
        "queue t1a2b3c4.cases.events",
    ],
)
def test_identifiers_and_numbers_that_are_not_personal_data_stay(text: str) -> None:
    assert scrub(text) == text


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("cases", logging.ERROR, __file__, 1, msg, args or None, None)
    record.__dict__.update(extra)
    return record


def test_the_filter_scrubs_message_arguments_exception_and_extra_fields() -> None:
    try:
        raise ValueError(f"DETAIL:  Key (national_id)=({FNR}) already exists.")
    except ValueError:
        record = _record("registering %s failed", FNR, path=f"/api/v1/search/{FNR}")
        record.exc_info = sys.exc_info()
    record.stack_info = f"Stack (most recent call last):\n  debtor={FNR}"

    assert ScrubbingFilter().filter(record) is True
    line = JsonLogFormatter("cases-api").format(record)

    assert FNR not in line
    entry = json.loads(line)
    assert entry["msg"] == f"registering {NATIONAL_ID_MASK} failed"
    assert entry["path"] == f"/api/v1/search/{NATIONAL_ID_MASK}"
    assert entry["exc_type"] == "ValueError"
    assert "Traceback" in entry["exc"]
    assert "DETAIL:  [redacted]" in entry["exc"]
    assert NATIONAL_ID_MASK in entry["stack"]


def test_a_record_with_a_broken_format_string_is_still_scrubbed() -> None:
    record = _record("%d notes for %s", FNR)  # wrong arguments for the format
    ScrubbingFilter().filter(record)
    assert FNR not in record.getMessage()


@pytest.fixture
def pristine_logging() -> Iterator[None]:
    """setup_logging changes process-wide state: put it back after the test."""
    root = logging.getLogger()
    saved_root = (root.handlers[:], root.level)
    saved = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
        for name in (*UVICORN_LOGGERS, "library")
    }
    hooks = (sys.excepthook, threading.excepthook)
    yield
    root.handlers[:], level = saved_root
    root.setLevel(level)
    for name, (handlers, propagate) in saved.items():
        logging.getLogger(name).handlers[:] = handlers
        logging.getLogger(name).propagate = propagate
    sys.excepthook, threading.excepthook = hooks
    logging.captureWarnings(False)


def test_setup_logging_scrubs_uvicorn_libraries_and_uncaught_errors(
    pristine_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # uvicorn configures its loggers with their own plain handlers before loading the app;
    # a library may have added a handler of its own.
    uvicorn_stream, library_stream = io.StringIO(), io.StringIO()
    logging.getLogger("uvicorn.error").addHandler(logging.StreamHandler(uvicorn_stream))
    logging.getLogger("uvicorn.error").propagate = False
    logging.getLogger("library").addHandler(logging.StreamHandler(library_stream))

    setup_logging("cases-api")
    try:
        raise RuntimeError(f"note body {FNR}")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("library").warning("looked up %s", FNR)
    try:
        raise KeyError(FNR)
    except KeyError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]

    err = capsys.readouterr().err
    assert FNR not in err + uvicorn_stream.getvalue() + library_stream.getvalue()
    lines = [json.loads(line) for line in err.splitlines()]
    assert [(line["logger"], line["msg"]) for line in lines] == [
        ("uvicorn.error", "Exception in ASGI application"),
        ("library", f"looked up {NATIONAL_ID_MASK}"),
        ("uncaught", "uncaught exception"),
    ]
    assert NATIONAL_ID_MASK in lines[0]["exc"]
    assert library_stream.getvalue() == f"looked up {NATIONAL_ID_MASK}\n"
    assert uvicorn_stream.getvalue() == ""  # uvicorn's own handler is gone


def test_exported_spans_carry_no_personal_data() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(memory)))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span(f"GET /search/{FNR}") as span:
        span.set_attribute("http.target", f"/api/v1/cases?q={FNR}")
        span.set_attribute("http.status_code", 500)
        span.set_attribute("tags", [f"debtor {FNR}", "other"])
        span.record_exception(ValueError(f"input_value='{FNR}', input_type=str"))
        span.set_status(Status(StatusCode.ERROR, f"DETAIL:  Key (x)=({FNR}) already exists."))

    [exported] = memory.get_finished_spans()
    text = repr(
        (
            exported.name,
            dict(exported.attributes or {}),
            [(e.name, dict(e.attributes or {})) for e in exported.events],
            exported.status.description,
        )
    )
    assert FNR not in text
    assert exported.attributes is not None
    assert exported.attributes["http.target"] == f"/api/v1/cases?q={NATIONAL_ID_MASK}"
    assert exported.attributes["http.status_code"] == 500
    assert exported.events[0].attributes is not None
    assert exported.events[0].attributes["exception.type"] == "ValueError"
    assert exported.status.status_code is StatusCode.ERROR
    assert exported.context == span.get_span_context()


def test_a_handler_that_fails_reports_its_failure_scrubbed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from servicekit.telemetry import ScrubbedStreamHandler

    closed = io.StringIO()
    closed.close()
    handler = ScrubbedStreamHandler(closed)
    try:
        raise ValueError(f"DETAIL:  Key (fnr)=({FNR}) already exists.")
    except ValueError:
        record = _record("crash")
        record.exc_info = sys.exc_info()
        handler.handle(record)  # writing fails: logging reports the failure on stderr
    err = capsys.readouterr().err
    assert "Logging error" in err
    assert "closed file" in err
    assert FNR not in err
