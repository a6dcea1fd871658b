"""Hostile values for the API fuzzing: what once made a 500 out of a client's mistake.

Schemathesis generates requests from the OpenAPI document, so it sends what the schema
allows and the usual negative cases; the classes of issue 18 are outside both: a NUL or
an unpaired surrogate in text (PostgreSQL and UTF-8 cannot hold them), an integer far
beyond any column (``10**30``), a boolean or a float where øre are wanted, and a deeply
nested value. :func:`hostile_case` takes a generated request and puts one of them in one
place: a query parameter (the query string is fuzzed, not only bodies), a path
parameter, a leaf of the JSON body, or the whole body.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

TEXT = ("\x00", "Kari\x00Nordmann", "01019012345\x00")
"""A NUL, alone and inside what looks like a name or a fødselsnummer."""
SURROGATES = ("\ud800", "Kari\udfffNordmann")
"""Unpaired surrogates: only in a JSON body (``\\ud800``); a URL cannot carry them."""
NUMBERS = (10**30, -(10**30), 2**63, -(2**63) - 1, 2**64)
"""Integers beyond a ``BIGINT``, both ways."""
LOOSE = (True, 1e3, 100.0, "100", "2026-01-01T00:00:00")
"""What a loose parser takes for an integer or a date."""
DEPTH = 300
"""Nesting deep enough to hurt a recursive parser, shallow enough for the client's encoder."""


def nested(depth: int = DEPTH) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside a JSON document (containers and scalars)."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = copy.deepcopy(document)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return copied


def targets(case: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """Where a hostile value can go in ``case``: ``(container, path)`` pairs."""
    found: list[tuple[str, tuple[Any, ...]]] = [("query", (name,)) for name in case.query or {}]
    found += [("path_parameters", (name,)) for name in case.path_parameters or {}]
    if isinstance(case.body, dict | list) and (case.media_type or "").endswith("json"):
        found.append(("body", ()))
        found += [("body", path) for path in _leaves(case.body)]
    return found


def values_for(container: str) -> tuple[Any, ...]:
    """The hostile values that can be sent in ``container``."""
    if container == "body":
        return (*TEXT, *SURROGATES, *NUMBERS, *LOOSE, nested())
    # query strings and paths are text: numbers and loose values go as their digits
    return (*TEXT, *(str(n) for n in NUMBERS), "true", "1e3", "2026-01-01T00:00:00")


def with_value(case: Any, container: str, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``case`` with ``value`` at ``path`` of ``container``."""
    changed = case.derive(keep_auth=True)
    # No generation metadata: schemathesis would validate the changed case against the
    # schema again, and its validator cannot even encode an unpaired surrogate.
    object.__setattr__(changed, "_meta", None)
    if container == "body":
        changed.body = _replaced(case.body, path, value)
    else:
        changed_container = dict(getattr(case, container) or {})
        changed_container[path[0]] = value
        setattr(changed, container, changed_container)
    return changed


def hostile_case(case: Any) -> st.SearchStrategy[Any]:
    """``case``, with one hostile value in one place (``case`` itself if it has no input)."""
    places = targets(case)
    if not places:
        return st.just(case)
    return st.sampled_from(places).flatmap(
        lambda place: st.sampled_from(values_for(place[0])).map(
            lambda value: with_value(case, place[0], place[1], value)
        )
    )
