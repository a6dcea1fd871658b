"""Transactional outbox: events are written in the same transaction as the state change.

The table belongs to each service's own metadata and migration history
(:func:`outbox_table`); :func:`add_to_outbox` writes rows on the caller's session and
captures the current trace context so that the relay can continue the same trace.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pydantic_core
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
    select,
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


@dataclass(frozen=True, slots=True)
class SerialisedEvent:
    """An event whose envelope is already JSON: what a bulk producer hands the outbox."""

    event_id: uuid.UUID
    event_type: str
    routing_key: str
    body: str


def serialised_event(
    payload_type: type[EventData],
    data: dict[str, Any],
    *,
    event_id: uuid.UUID,
    occurred_at: datetime | str,
) -> SerialisedEvent:
    """The envelope of ``data`` as :meth:`Envelope.model_dump_json` writes it, without the
    models' validation: for producers of thousands of events at a time.

    ``data`` must be exactly what ``payload_type(...).model_dump(mode="json")`` gives (what
    :meth:`Envelope.wrap` puts in an envelope): every field, in the model's order, defaults
    included, already valid; the producer's tests compare the two. ``occurred_at`` may be
    given as :func:`json_time` made it, once for many events.
    """
    correlation_id, causation_id = context.correlation_id.get(), context.causation_id.get()
    envelope = {
        "event_id": str(event_id),
        "event_type": payload_type.event_type,
        "event_version": payload_type.event_version,
        "occurred_at": occurred_at,
        "producer": payload_type.producer(),
        "correlation_id": None if correlation_id is None else str(correlation_id),
        "causation_id": None if causation_id is None else str(causation_id),
        "data": data,
    }
    return SerialisedEvent(
        event_id=event_id,
        event_type=payload_type.event_type,
        routing_key=payload_type.routing_key(),
        body=pydantic_core.to_json(envelope).decode(),
    )


def json_time(moment: datetime) -> str:
    """A datetime as the models write it in JSON (``2026-11-25T12:30:01.000001Z``)."""
    text = pydantic_core.to_jsonable_python(moment)
    assert isinstance(text, str)
    return text


def _serialised(event: Envelope | SerialisedEvent) -> SerialisedEvent:
    if isinstance(event, SerialisedEvent):
        return event
    return SerialisedEvent(
        event_id=event.event_id,
        event_type=event.event_type,
        routing_key=event.routing_key,
        body=event.model_dump_json(),
    )


BULK_ROWS = 50
"""From this many events on, :func:`add_to_outbox` writes them with one binary ``COPY``
(asyncpg's ``copy_records_to_table``) instead of SQLAlchemy's executemany; the rows are
the same."""

_COLUMNS = ("event_id", "event_type", "routing_key", "body", "trace_headers")


async def add_to_outbox(
    session: AsyncSession, table: Table, events: Iterable[Envelope | SerialisedEvent]
) -> list[uuid.UUID]:
    """Insert events into the outbox within the session's transaction, and wake the relay.

    ``NOTIFY`` is transactional: the relay hears it only when the transaction commits.
    Many events at once (a bulk registration) take the bulk path: the trace context is
    the same for every row (the current span's), so it is captured once.
    """
    items = [_serialised(e) for e in events]
    if not items:
        return []
    if len(items) >= BULK_ROWS:
        connection = await session.connection()
        if connection.dialect.driver == "asyncpg":
            return await _add_in_bulk(connection, table, items)
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    rows = [
        {
            "event_id": e.event_id,
            "event_type": e.event_type,
            "routing_key": e.routing_key,
            "body": e.body,
            "trace_headers": carrier,
        }
        for e in items
    ]
    # one round trip: the rows and the wake-up (``pg_notify`` is ``NOTIFY``, transactional
    # alike); a data-modifying CTE runs whether or not the query reads it
    added = insert(table).values(rows).cte("added")
    await session.execute(select(func.pg_notify(NOTIFY_CHANNEL, "")).add_cte(added))
    return [e.event_id for e in items]


async def _add_in_bulk(
    connection: AsyncConnection, table: Table, events: list[SerialisedEvent]
) -> list[uuid.UUID]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    headers = json.dumps(carrier)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        table.name,
        schema_name=table.schema,
        columns=_COLUMNS,
        records=[(e.event_id, e.event_type, e.routing_key, e.body, headers) for e in events],
    )
    await driver.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    return [e.event_id for e in events]
