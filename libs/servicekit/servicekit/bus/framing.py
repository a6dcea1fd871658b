"""Packed messages: several events of one routing key and one trace context in one AMQP
message (ADR 0070).

A packed message's body is the events' envelopes, exactly as the outbox holds them, one
per line (newline-delimited JSON: an envelope's JSON never holds a raw newline), with
content type :data:`PACK_CONTENT_TYPE`. Its headers are the trace context all its events
share (the relay packs only events written under one context). Every other message is one
event, its envelope the whole body (``application/json``), as before.
"""

from __future__ import annotations

from collections.abc import Sequence

PACK_CONTENT_TYPE = "application/x-ndjson"
"""A message holding several events, one envelope per line."""

_NEWLINE = b"\n"


def pack(bodies: Sequence[bytes]) -> bytes:
    """The body of a packed message: the envelopes one per line."""
    if any(_NEWLINE in body for body in bodies):
        raise ValueError("an envelope with a raw newline cannot be packed")
    return _NEWLINE.join(bodies)


def unpack(body: bytes) -> list[bytes]:
    """The envelopes of a packed message's body, in order (a trailing newline is allowed)."""
    return body.rstrip(_NEWLINE).split(_NEWLINE)


def is_packed(content_type: str | None) -> bool:
    return content_type == PACK_CONTENT_TYPE


def event_count(content_type: str | None, body: bytes) -> int:
    """How many events a message holds (without reading them)."""
    if not is_packed(content_type):
        return 1
    return body.rstrip(_NEWLINE).count(_NEWLINE) + 1
