"""Packed messages (ADR 0070): the framing, and how the relay groups a batch into packs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from servicekit import relay
from servicekit.bus import framing

pytestmark = pytest.mark.unit


def row(n: int, key: str = "cases.case.registered.v1", trace: str | None = None) -> object:
    headers = {} if trace is None else {"traceparent": trace}
    return SimpleNamespace(id=n, routing_key=key, trace_headers=headers, body=f'{{"n":{n}}}')


def test_a_pack_is_its_envelopes_one_per_line() -> None:
    body = framing.pack([b'{"a":1}', b'{"b":2}'])
    assert body == b'{"a":1}\n{"b":2}'
    assert framing.unpack(body) == [b'{"a":1}', b'{"b":2}']
    assert framing.unpack(body + b"\n") == [b'{"a":1}', b'{"b":2}']
    assert framing.event_count(framing.PACK_CONTENT_TYPE, body) == 2
    assert framing.event_count("application/json", body) == 1


def test_an_envelope_with_a_raw_newline_is_not_packed() -> None:
    with pytest.raises(ValueError, match="newline"):
        framing.pack([b'{"a":\n1}'])


def test_packs_hold_one_routing_key_and_one_trace_context_in_outbox_order() -> None:
    rows = [
        row(1),
        row(2, key="cases.case.status_changed.v1"),
        row(3),
        row(4, trace="00-a-b-01"),
        row(5),
        row(6, trace="00-a-b-01"),
    ]
    packs = relay._packs(rows, 64)
    assert [[r.id for r in p] for p in packs] == [[1, 3, 5], [2], [4, 6]]


def test_a_body_with_a_raw_newline_travels_alone() -> None:
    odd = SimpleNamespace(id=9, routing_key=row(0).routing_key, trace_headers={}, body="{\n}")
    packs = relay._packs([row(1), odd, row(2)], 64)
    assert [[r.id for r in p] for p in packs] == [[1, 2], [9]]


def test_packs_are_cut_at_the_pack_size_and_the_byte_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [row(n) for n in range(10)]
    assert [len(p) for p in relay._packs(rows, 4)] == [4, 4, 2]
    assert [len(p) for p in relay._packs(rows, 1)] == [1] * 10
    monkeypatch.setattr(relay, "PACK_BYTES", 3 * len(rows[0].body))
    assert [len(p) for p in relay._packs(rows, 64)] == [3, 3, 3, 1]
