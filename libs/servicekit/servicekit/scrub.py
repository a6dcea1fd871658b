"""Personal data out of logs and traces: the last line of defence.

Callers log identifiers, never personal data, and database engines hide their bound
parameters (:func:`servicekit.db.make_engine`). What still slips through (a driver's
error detail that quotes a row, a validation error that quotes its input, a URL with a
query string) is masked here before it is written or exported:

* a run of 11 digits (``DDMMYYIIIKK``, optionally written ``DDMMYY IIIKK``) not part of a
  longer digit run: a fødselsnummer, D-nummer or H-nummer, or a bank account number. Every
  such run is masked, valid check digits or not (synthetic numbers and typos are personal
  data too);
* the local part of an e-mail address (the domain stays, for operations);
* PostgreSQL's ``DETAIL:`` line (``Key (x)=(value) already exists``, ``Failing row
  contains (…)``), SQLAlchemy's ``[parameters: …]`` and pydantic's ``input_value=…``: the
  places where a library repeats the data it refused;
* bearer tokens and JWTs (secrets, not personal data, but never for a log either).

Names and addresses have no pattern: they stay out of logs by the rule that callers log
identifiers only (``JsonLogFormatter.SAFE_FIELDS``), which this cannot replace.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

NATIONAL_ID_MASK = "[national-id]"
REDACTED = "[redacted]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Library messages that repeat refused data: the whole rest of the line goes.
    (re.compile(r"DETAIL:[^\n]*"), f"DETAIL:  {REDACTED}"),
    (re.compile(r"\[parameters: [^\n]*"), f"[parameters: {REDACTED}]"),
    (
        re.compile(r"input_value=.*?(, input_type=|\]$|$)", re.MULTILINE),
        rf"input_value={REDACTED}\1",
    ),
    # Secrets: a JWT (three base64url parts, the first a JSON object) or a bearer token.
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), "[token]"),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [token]"),
    # Personal data with a shape.
    (re.compile(r"(?<![0-9])[0-9]{6} ?[0-9]{5}(?![0-9])", re.ASCII), NATIONAL_ID_MASK),
    (
        re.compile(r"[A-Za-z0-9._%+'-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"),
        r"***@\1",
    ),
)


def scrub(text: str) -> str:
    """``text`` with every personal-data or secret pattern above masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub_value(value: Any) -> Any:
    """Strings scrubbed; sequences and mappings of them scrubbed item by item."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bytes):
        return scrub(value.decode("utf-8", errors="replace")).encode()
    if isinstance(value, Mapping):
        return {k: scrub_value(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(scrub_value(v) for v in value)
    if isinstance(value, Sequence):
        return [scrub_value(v) for v in value]
    return value


_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
}
"""What every ``LogRecord`` has; anything else on a record came in through ``extra``."""


class ScrubbingFilter(logging.Filter):
    """Masks :func:`scrub` patterns in a record's message (its arguments merged in), its
    formatted exception and stack, and every string passed in ``extra``.

    Installed on every handler by :func:`servicekit.telemetry.setup_logging`. The record
    is changed in place (so every handler after the first sees the scrubbed record) and
    marked, so a second handler does not scrub it again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_scrubbed", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, scrubbed
            message = f"{record.msg!s} {record.args!r}"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for name, value in list(record.__dict__.items()):
            if name not in _RECORD_ATTRIBUTES and isinstance(value, str | Mapping | list | tuple):
                record.__dict__[name] = scrub_value(value)
        record._scrubbed = True
        return True
