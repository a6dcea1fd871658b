"""Transactional outbox: events are written in the same transaction as the state change.

The table belongs to each service's own metadata and migration history
(:func:`outbox_table`); :func:`add_to_outbox` writes rows on the caller's session and
captures the current trace context so that the relay can continue the same trace.
"""

from __future__ import annotations

import json
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
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

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


BULK_ROWS = 50
"""From this many events on, :func:`add_to_outbox` writes them with one statement of
array parameters (asyncpg's binary ``unnest``) instead of SQLAlchemy's executemany; the
rows are the same."""

_BULK_INSERT = (
    "INSERT INTO {table} (event_id, event_type, routing_key, body, trace_headers) "
    "SELECT u.event_id, u.event_type, u.routing_key, u.body, u.trace_headers::jsonb "
    "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) "
    "AS u(event_id, event_type, routing_key, body, trace_headers)"
)


async def add_to_outbox(
    session: AsyncSession, table: Table, envelopes: Iterable[Envelope]
) -> list[uuid.UUID]:
    """Insert events into the outbox within the session's transaction, and wake the relay.

    ``NOTIFY`` is transactional: the relay hears it only when the transaction commits.
    Many events at once (a bulk registration) take the bulk path: the trace context is
    the same for every row (the current span's), so it is captured once.
    """
    envelopes = list(envelopes)
    if not envelopes:
        return []
    if len(envelopes) >= BULK_ROWS:
        connection = await session.connection()
        if connection.dialect.driver == "asyncpg":
            return await _add_in_bulk(connection, table, envelopes)
    rows = [outbox_row(e) for e in envelopes]
    await session.execute(insert(table), rows)
    await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return [r["event_id"] for r in rows]


async def _add_in_bulk(
    connection: AsyncConnection, table: Table, envelopes: list[Envelope]
) -> list[uuid.UUID]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    headers = json.dumps(carrier)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    name = table.name if table.schema is None else f"{table.schema}.{table.name}"
    ids = [e.event_id for e in envelopes]
    await driver.execute(
        _BULK_INSERT.format(table=name),
        ids,
        [e.event_type for e in envelopes],
        [e.routing_key for e in envelopes],
        [e.model_dump_json() for e in envelopes],
        [headers] * len(envelopes),
    )
    await driver.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    return ids
