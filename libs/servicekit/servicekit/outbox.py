"""Transactional outbox: events are written in the same transaction as the state change.

The table belongs to each service's own metadata and migration history
(:func:`outbox_table`); :func:`add_to_outbox` writes rows on the caller's session and
captures the current trace context so that the relay can continue the same trace.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from contracts import Envelope, EventData
from opentelemetry import propagate
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit import context

NOTIFY_CHANNEL = "outbox"


def outbox_table(metadata: MetaData) -> Table:
    """Declare the ``outbox`` table on a service's metadata (Alembic migrates it)."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("body", Text, nullable=False, comment="the envelope as JSON"),
        Column("trace_headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
    )


def envelope_for(payload: EventData) -> Envelope:
    """Wrap a payload with the correlation and causation of the current context."""
    return Envelope.wrap(
        payload,
        correlation_id=context.correlation_id.get(),
        causation_id=context.causation_id.get(),
    )


def outbox_row(envelope: Envelope) -> dict[str, Any]:
    """The row for one event, with the W3C trace context of the current span."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "routing_key": envelope.routing_key,
        "body": envelope.model_dump_json(),
        "trace_headers": carrier,
    }


async def add_to_outbox(
    session: AsyncSession, table: Table, envelopes: Iterable[Envelope]
) -> list[uuid.UUID]:
    """Insert events into the outbox within the session's transaction, and wake the relay.

    ``NOTIFY`` is transactional: the relay hears it only when the transaction commits.
    """
    rows = [outbox_row(e) for e in envelopes]
    if not rows:
        return []
    await session.execute(insert(table), rows)
    await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return [r["event_id"] for r in rows]
