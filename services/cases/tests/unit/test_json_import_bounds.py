"""JSON case files are read under bounds: a hostile file fails at once, small in memory.

The finding behind it (issue 18): 100,000 ``[`` then 100,000 ``]`` (200 KB) grew the
importer to ~22 GB. Each bomb here must end in :class:`LayoutError`, having allocated no
more than a few MiB, whatever its size.
"""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from cases.adapters.import_files.json_file import JsonLimits, _DigitRuns, json_cases
from cases.domain.import_layout import LayoutError

MIB = 1024 * 1024


def _case(reference: str) -> dict[str, Any]:
    return {
        "creditor_reference": reference,
        "debtor": {
            "kind": "business",
            "name": "Kystfisk Ålesund AS",
            "organisation_number": "923609016",
            "address": {"lines": ["Storgata 1"], "postal_code": "6002", "city": "Ålesund"},
        },
        "claims": [
            {
                "invoice_number": "F-1",
                "invoice_date": "2026-10-01",
                "due_date": "2026-10-15",
                "principal_ore": 125_000,
            }
        ],
    }


def _read(path: Path, limits: JsonLimits | None = None) -> tuple[list[Any], int]:
    """The file's cases and the peak of memory allocated while reading them."""
    tracemalloc.start()
    try:
        cases = list(json_cases(path) if limits is None else json_cases(path, limits=limits))
        return cases, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BOMBS: dict[str, bytes] = {
    "nested arrays (the finding)": b"[" * 100_000 + b"]" * 100_000,
    "nested inside a case": b'[{"claims": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
    "nested beside the cases": b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b', "cases": []}',
    "nested maps": b'[{"a": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001 + b"]",
    "a huge integer": b'[{"claims": [{"principal_ore": ' + b"9" * 300_000 + b"}]}]",
    "a huge decimal": b'[{"claims": [{"principal_ore": 1.' + b"0" * 300_000 + b"1}]}]",
    "a long text": b'[{"creditor_reference": "' + b"x" * 2 * MIB + b'"}]',
    "a long key": b'[{"' + b"k" * 2 * MIB + b'": 1}]',
    "a case of a million values": b"[[" + b"0," * 1_000_000 + b"0]]",
    "a map of a million keys": b"[{" + b",".join(b'"k%d": 0' % i for i in range(200_000)) + b"}]",
}


@pytest.mark.parametrize("name", BOMBS)
def test_a_hostile_file_fails_at_once_and_small(name: str, tmp_path: Path) -> None:
    path = tmp_path / "bomb.json"
    path.write_bytes(BOMBS[name])

    with pytest.raises(LayoutError) as raised:
        _read(path)
    tracemalloc.start()
    try:
        with pytest.raises(LayoutError):
            list(json_cases(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 8 * MIB + len(BOMBS[name]) // 4, f"{name}: {peak / MIB:.1f} MiB"
    message = str(raised.value)
    assert str(tmp_path) not in message  # never the local copy's path
    assert "it is not imported" in message or "malformed" in message or "deeper" in message


def test_a_digit_run_split_across_reads_is_still_caught() -> None:
    """The guard sees runs that straddle the parser's reads, whatever their size."""
    content = b'[{"a": "x", "n": ' + b"7" * 101 + b"}]"
    for size in (1, 2, 3, 7, 16, 64):
        guard = _DigitRuns(io.BytesIO(content), 100)
        while guard.read(size):
            pass
        assert guard.tripped, size
        fine = _DigitRuns(io.BytesIO(content.replace(b"7" * 101, b"7" * 100)), 100)
        while fine.read(size):
            pass
        assert not fine.tripped, size


def test_ordinary_files_read_as_before(tmp_path: Path) -> None:
    cases = [_case(f"R-{i}") for i in range(50)]
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(cases), encoding="utf-8")
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps({"meta": {"nested": [[1, 2], {"a": None}]}, "cases": cases}).encode()
    )

    for path in (plain, wrapped):
        read, _ = _read(path)
        assert [c.registration.creditor_reference for c in read] == [f"R-{i}" for i in range(50)]
        assert all(not c.errors for c in read)
        assert read[0].registration.claims[0].principal_ore == 125_000


def test_a_resumed_file_skips_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([_case(f"R-{i}") for i in range(10)]), encoding="utf-8")

    read = list(json_cases(path, skip=7))

    assert [c.registration.creditor_reference for c in read] == ["R-7", "R-8", "R-9"]


def test_the_limits_are_exact(tmp_path: Path) -> None:
    """Values at a limit pass; one more fails (the bounds are not accidents of the data)."""
    limits = JsonLimits(max_depth=3, max_values_per_case=6, max_string_chars=5, max_digit_run=4)
    cases = {
        "at the limits": (b'[{"a": [[1]], "b": "abcde", "c": 9999}]', None),
        "one level deeper": (b'[{"a": [[[1]]]}]', "deeper than 3"),
        "one value more": (b'[{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}]', "6 values"),
        "one character more": (b'[{"b": "abcdef"}]', "longer than 5"),
        "one digit more": (b'[{"c": 99999}]', "digits in a row"),
    }
    for name, (content, refused) in cases.items():
        path = tmp_path / "limits.json"
        path.write_bytes(content)
        if refused is None:
            assert len(list(json_cases(path, limits=limits))) == 1, name
        else:
            with pytest.raises(LayoutError, match=refused):
                list(json_cases(path, limits=limits))
