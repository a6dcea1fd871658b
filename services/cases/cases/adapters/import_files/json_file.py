"""JSON imports for systems: an array of cases shaped as the API's registration body.

``[{"creditor_reference": …, "debtor": {…}, "claims": [{…}]}, …]`` (or ``{"cases": [...]}``),
UTF-8. Parsed as a stream of tokens (ijson's C backend, ``basic_parse``: no prefix strings,
which grow with the nesting), and each case is built here under :class:`JsonLimits`:
nesting, values per case, string and number length. A file past any of them fails at once
with :class:`~cases.domain.import_layout.LayoutError` naming the case, before it can cost
more than a case's worth of memory: 200 KB of ``[`` no longer builds anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson  # type: ignore[import-untyped]

from cases.domain.import_layout import LayoutError, ParsedCase, case_from_json

_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class JsonLimits:
    """How big one case of a JSON import may be.

    A case is at most 5 levels deep (case → claims → claim, case → debtor → address →
    lines); 8 leaves room for what the layout ignores. 100 claims of 5 fields and a debtor
    are some 600 values; 5,000 is generous. Strings are names, addresses and references
    (the longest column takes 200 characters).
    """

    max_depth: int = 8
    max_values_per_case: int = 5_000
    max_string_chars: int = 10_000
    max_number_chars: int = 40
    max_digit_run: int = 100
    """Digits in a row anywhere (see :class:`_DigitRuns`)."""


DEFAULT_LIMITS = JsonLimits()


class _DigitRuns:
    """The file as the parser reads it, cut short where a run of digits is too long.

    ijson's C backend turns a number into an ``int`` itself, and a number past Python's
    4,300-digit limit leaves it in a broken state (``SystemError``, at worst a crash):
    such a number must never reach it. Where a run of digits longer than ``max_digits``
    begins, the stream ends (the parser then reports it incomplete) and ``tripped`` says
    why. No text of the layout has a run that long either.
    """

    def __init__(self, f: IO[bytes], max_digits: int) -> None:
        self._f = f
        self._max = max_digits
        self._long = re.compile(rb"[0-9]{%d,}" % (max_digits + 1))
        self._run = 0
        self.tripped = False

    def read(self, size: int = -1) -> bytes:
        if self.tripped:
            return b""
        data = self._f.read(size)
        lead = len(data) - len(data.lstrip(b"0123456789"))
        if self._run + lead > self._max or self._long.search(data):
            self.tripped = True
            return b""
        trail = len(data) - len(data.rstrip(b"0123456789"))
        self._run = self._run + len(data) if trail == len(data) else trail
        return data


def _prefix(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4096)
    head = head.removeprefix(_BOM).lstrip(_WHITESPACE)
    if not head:
        raise LayoutError("The file is empty.")
    if head[:1] == b"[":
        return "item"
    if head[:1] == b"{":
        return "cases.item"
    raise LayoutError(
        'The file is not JSON of the import layout: an array of cases (or {"cases": [...]}).'
    )


def check_json(path: Path) -> None:
    _prefix(path)


class _Bounded:
    """Builds values from ``basic_parse`` events, refusing what passes the limits."""

    def __init__(self, source: _DigitRuns, limits: JsonLimits) -> None:
        self._source = source
        self._events: Iterator[tuple[str, Any]] = ijson.basic_parse(source, use_float=False)
        self._limits = limits
        self.position = 0
        """The case being read (from 1; it counts once its first token is read)."""
        self.completed = 0
        """Cases read whole."""

    def next_event(self) -> tuple[str, Any]:
        try:
            return next(self._events)
        except StopIteration:
            failure = "ends before it is complete"
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError):
            # The parser's own message quotes the input: say where, not what.
            failure = "is malformed"
        if self._source.tripped:
            raise LayoutError(
                f"The JSON has more than {self._limits.max_digit_run} digits in a row; "
                "it is not imported."
            )
        raise LayoutError(f"The JSON {failure} after case {self.completed}.")

    def _too_big(self, what: str) -> LayoutError:
        return LayoutError(f"Case {self.position} of the JSON {what}; it is not imported.")

    def value(self, event: str, token: Any, depth: int, budget: list[int]) -> Any:
        """The value that starts with ``(event, token)``, ``depth`` levels into a case."""
        budget[0] -= 1
        if budget[0] < 0:
            raise self._too_big(f"has more than {self._limits.max_values_per_case} values")
        if event == "start_map":
            return self._container(depth + 1, budget, {})
        if event == "start_array":
            return self._container(depth + 1, budget, [])
        if event == "string":
            if len(token) > self._limits.max_string_chars:
                raise self._too_big(
                    f"has a text longer than {self._limits.max_string_chars} characters"
                )
            return token
        if event == "number":
            if len(str(token)) > self._limits.max_number_chars:
                raise self._too_big(
                    f"has a number longer than {self._limits.max_number_chars} digits"
                )
            return token
        if event in ("boolean", "null"):
            return token
        raise LayoutError(f"The JSON is malformed after case {self.completed}.")

    def _container(
        self, depth: int, budget: list[int], into: dict[str, Any] | list[Any]
    ) -> dict[str, Any] | list[Any]:
        if depth > self._limits.max_depth:
            raise self._too_big(f"is nested deeper than {self._limits.max_depth} levels")
        while True:
            event, token = self.next_event()
            if event in ("end_map", "end_array"):
                return into
            if isinstance(into, dict):
                if event != "map_key":
                    raise LayoutError(f"The JSON is malformed after case {self.completed}.")
                if len(token) > self._limits.max_string_chars:
                    raise self._too_big("has a key that is too long")
                event, value_token = self.next_event()
                into[token] = self.value(event, value_token, depth, budget)
            else:
                into.append(self.value(event, token, depth, budget))

    def skip(self, event: str, depth: int) -> None:
        """Pass over a value the layout does not read (still bounded in nesting)."""
        if event not in ("start_map", "start_array"):
            return
        level = 1
        while level:
            event, _ = self.next_event()
            if event in ("start_map", "start_array"):
                level += 1
                if depth + level > self._limits.max_depth:
                    raise LayoutError(
                        f"The JSON is nested deeper than {self._limits.max_depth} levels."
                    )
            elif event in ("end_map", "end_array"):
                level -= 1


def _items(f: IO[bytes], top: str, limits: JsonLimits) -> Iterator[Any]:
    """The elements of the array of cases (``top``: ``item`` or ``cases.item``), one by one."""
    reader = _Bounded(_DigitRuns(f, limits.max_digit_run), limits)
    event, _ = reader.next_event()
    if top == "cases.item":
        if event != "start_map":
            raise LayoutError('The file is not JSON of the import layout: {"cases": [...]}.')
        while True:
            event, key = reader.next_event()
            if event == "end_map":
                return
            event, _ = reader.next_event()
            if key == "cases":
                if event != "start_array":
                    raise LayoutError('"cases" must be an array of cases.')
                yield from _elements(reader, limits)
            else:
                reader.skip(event, 1)
    if event != "start_array":
        raise LayoutError("The file is not JSON of the import layout: an array of cases.")
    yield from _elements(reader, limits)


def _elements(reader: _Bounded, limits: JsonLimits) -> Iterator[Any]:
    while True:
        event, token = reader.next_event()
        if event == "end_array":
            return
        reader.position += 1
        case = reader.value(event, token, 0, [limits.max_values_per_case])
        reader.completed += 1
        yield case


def json_cases(
    path: Path, *, skip: int = 0, limits: JsonLimits = DEFAULT_LIMITS
) -> Iterator[ParsedCase]:
    """The file's cases after the first ``skip``, each checked against the layout."""
    top = _prefix(path)
    position = 0
    with path.open("rb") as f:
        if f.read(3) != _BOM:
            f.seek(0)
        for item in _items(f, top, limits):
            position += 1
            if position <= skip:
                continue
            yield case_from_json(item, position=position)
