"""Transactional outbox: events are written in the same transaction as the state change.

The table belongs to each service's own metadata and migration history
(:func:`outbox_table`); :func:`add_to_outbox` writes rows on the caller's session and
captures the current trace context so that the relay can continue the same trace.

The relay is woken by ``NOTIFY outbox`` sent *after* the transaction commits, on a
connection of its own, never inside it: PostgreSQL serialises the commits of all the
cluster's transactions that notified under one lock held through their WAL flush, so an
in-transaction ``NOTIFY`` made every event-writing commit of every service wait for the
others' flushes one at a time (ADR 0073). A transaction that only notifies writes no WAL
before its commit record and so waits for no flush. A wake-up lost to a crash between the
commit and the ``NOTIFY`` costs the relay's poll interval, nothing more.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import weakref
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
    event,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from servicekit import context

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "outbox"
_WAKE_DUE = "servicekit.outbox.wake_due"
"""``Session.info`` key: the engine whose relay to wake once this transaction commits."""


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
    """Insert events into the outbox within the session's transaction; the relay is woken
    once it commits (:func:`wake_relay_after_commit`).

    Many events at once (a bulk registration) take the bulk path: the trace context is
    the same for every row (the current span's), so it is captured once.
    """
    items = [_serialised(e) for e in events]
    if not items:
        return []
    connection = await session.connection()
    wake_relay_after_commit(session, connection.engine)
    if len(items) >= BULK_ROWS and connection.dialect.driver == "asyncpg":
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
    await session.execute(insert(table).values(rows))
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
    return [e.event_id for e in events]


async def wake_relay(driver: Any) -> None:
    """``NOTIFY outbox`` on an asyncpg connection outside a transaction block: a short
    transaction of its own, which writes no WAL before its commit record and so waits for
    no flush while it holds the notify lock."""
    await driver.execute(f"NOTIFY {NOTIFY_CHANNEL}")


def wake_relay_after_commit(session: AsyncSession, engine: AsyncEngine) -> None:
    """Wake the relay of ``engine``'s database once the session's transaction commits
    (nothing if it rolls back). For writers of outbox rows other than :func:`add_to_outbox`;
    a writer outside a session calls ``relay_waker(engine).wake()`` after its commit."""
    session.info[_WAKE_DUE] = engine


class RelayWaker:
    """Sends ``NOTIFY outbox`` for one engine, at most one at a time: wake-ups asked for
    while one is on its way are folded into one more. A failure is logged and dropped (the
    relay's poll finds the rows)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # the engine's, not kept alive by its waker
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def wake(self) -> None:
        loop = asyncio.get_running_loop()
        task = self._task
        if task is not None and not task.done() and task.get_loop() is loop:
            self._again = True
            return
        self._again = False
        self._task = loop.create_task(self._notify(), name="outbox-wake")

    async def drain(self) -> None:
        """Return once no wake-up of this event loop is on its way (at shutdown, in tests)."""
        loop = asyncio.get_running_loop()
        while (task := self._task) is not None and not task.done() and task.get_loop() is loop:
            await asyncio.shield(task)

    async def _notify(self) -> None:
        while (engine := self._engine()) is not None:
            try:
                async with AsyncEngine(engine).connect() as conn:
                    raw = await conn.get_raw_connection()
                    await wake_relay(raw.driver_connection)
            except Exception as exc:
                log.warning("the relay's wake-up was not sent (%s)", type(exc).__name__)
                return
            if not self._again:
                return
            self._again = False


_wakers: weakref.WeakKeyDictionary[Engine, RelayWaker] = weakref.WeakKeyDictionary()


def relay_waker(engine: AsyncEngine) -> RelayWaker:
    """The one :class:`RelayWaker` of ``engine`` in this process."""
    waker = _wakers.get(engine.sync_engine)
    if waker is None:
        waker = _wakers[engine.sync_engine] = RelayWaker(engine.sync_engine)
    return waker


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the rows are not committed yet
    engine = session.info.pop(_WAKE_DUE, None)
    if engine is not None:
        relay_waker(engine).wake()


@event.listens_for(Session, "after_transaction_end")
def _no_wake_after_the_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed: nothing to wake for
        session.info.pop(_WAKE_DUE, None)
