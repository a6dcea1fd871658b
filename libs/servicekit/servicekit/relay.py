"""Outbox relay: moves committed events from a service's outbox to the broker.

Batches are claimed with ``FOR UPDATE SKIP LOCKED`` (several relays share the work),
published persistent with publisher confirms, many in flight, and marked sent in the same
transaction only after every confirm has arrived. A relay that dies between the confirm
and the commit leaves the rows unsent: they are published again and the consumers' inbox
ignores the duplicates (at-least-once). The relay sleeps on ``LISTEN outbox`` with a poll
fallback, and backs off while the broker or the database is away.

Each event gets its producer span in the trace of the request that wrote it; the span is
started without becoming the current one, and the broker channel is looked up once per
batch: CPU per event is what paces the relay on a busy machine (bench/README.md, pipeline).

Events of one batch with the same routing key and the same trace context (a bulk
registration, a consumer batch's balance events) are published as packed messages of up
to ``pack_size`` events (ADR 0070, :mod:`servicekit.bus.framing`): one message, one
producer span and one confirm for the pack. ``pack_size=1`` publishes one message per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aio_pika.abc import AbstractChannel as AbstractPikaChannel
from aio_pika.abc import AbstractExchange, AbstractRobustConnection
from aiormq.abc import AbstractChannel
from aiormq.exceptions import ChannelInvalidStateError
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from servicekit import metrics
from servicekit.bus.framing import PACK_CONTENT_TYPE, pack
from servicekit.bus.publisher import event_message, publish_on
from servicekit.bus.topology import Topology, declare_exchange
from servicekit.db import sync_url
from servicekit.outbox import NOTIFY_CHANNEL

log = logging.getLogger(__name__)
tracer = trace.get_tracer("servicekit.relay")

_CLAIM = text(
    "SELECT id, event_id, event_type, routing_key, body, trace_headers, created_at "
    "FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED"
)
_MARK_SENT = text("UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY(:ids)")
_MARK_FAILED = text(
    "UPDATE outbox SET attempts = attempts + 1, last_error = :error WHERE id = ANY(:ids)"
)
PACK_SIZE = 64
"""Events per packed message at most (ADR 0070)."""
PACK_BYTES = 256 * 1024
"""A pack is closed before its envelopes exceed this many bytes."""
BACKLOG_METRICS_EVERY_SECONDS = 1.0
"""The backlog's gauges are read again at most this often (a count over the outbox after
every wake-up was a statement per event at a few events a second; bench/README.md)."""

_BACKLOG = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
    "FROM outbox WHERE sent_at IS NULL"
)


@dataclass
class RelayStats:
    published: int = 0
    failed: int = 0


class OutboxRelay:
    """Publishes one service's outbox. ``run`` until ``stop`` is set."""

    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        connection: AbstractRobustConnection,
        topology: Topology,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        pack_size: int = PACK_SIZE,
        linger: float = 0.0,
    ) -> None:
        if pack_size < 1:
            raise ValueError("pack_size must be at least 1")
        if linger < 0:
            raise ValueError("linger must not be negative")
        self.service = service
        self.engine = engine
        self.connection = connection
        self.topology = topology
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.pack_size = pack_size
        self.linger = linger
        """Seconds to wait after a wake-up before claiming, so that events committed one
        by one meanwhile share a batch (ADR 0067); never while a backlog drains."""
        self.stats = RelayStats()
        self._wake = asyncio.Event()
        self._exchange: AbstractExchange | None = None
        self._channel: AbstractPikaChannel | None = None
        self._backlog_read_at = -BACKLOG_METRICS_EVERY_SECONDS

    async def _exchange_ready(self) -> AbstractPikaChannel:
        """The confirming channel, with the exchange declared (once)."""
        if self._channel is None or self._exchange is None:
            channel = await self.connection.channel(publisher_confirms=True)
            self._exchange = await declare_exchange(channel, self.topology)
            self._channel = channel
        return self._channel

    async def relay_once(self) -> int:
        """Publish one batch; return how many events were confirmed and marked sent."""
        robust = await self._exchange_ready()
        async with self.engine.connect() as conn, conn.begin():
            rows = (await conn.execute(_CLAIM, {"limit": self.batch_size})).all()
            if not rows:
                return 0
            packs = _packs(rows, self.pack_size)
            results: list[BaseException | None]
            try:  # the channel once per batch (not per event); closed: every row fails
                if robust.is_closed:
                    raise ChannelInvalidStateError(f"{robust!r} closed")
                channel = await robust.get_underlay_channel()
            except Exception as exc:
                results = [exc for _ in packs]
            else:
                results = await asyncio.gather(
                    *(
                        self._publish_row(channel, p[0])
                        if len(p) == 1
                        else self._publish_pack(channel, p)
                        for p in packs
                    ),
                    return_exceptions=True,
                )
            outcomes = list(zip(packs, results, strict=True))
            sent = [row.id for p, r in outcomes if r is None for row in p]
            failed = [(row.id, r) for p, r in outcomes if r is not None for row in p]
            if sent:
                await self._mark_sent(conn, sent)
            if failed:
                first_error = failed[0][1]
                await conn.execute(
                    _MARK_FAILED,
                    {
                        "ids": [i for i, _ in failed],
                        "error": f"{type(first_error).__name__}: {first_error}"[:500],
                    },
                )
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(sent))
        self.stats.published += len(sent)
        if failed:
            metrics.OUTBOX_PUBLISH_FAILURES.labels(self.service).inc(len(failed))
            self.stats.failed += len(failed)
            raise PublishFailed(len(failed), failed[0][1])
        return len(sent)

    async def _mark_sent(self, conn: AsyncConnection, ids: list[int]) -> None:
        """Mark confirmed rows sent; commits with the batch's transaction."""
        await conn.execute(_MARK_SENT, {"ids": ids})

    async def _publish_row(self, channel: AbstractChannel, row: object) -> None:
        """Publish one row under its producer span, a child of the row's trace context.

        The span is not made current (no context attach per event): the message's headers
        carry its context explicitly. A failure is recorded on it as
        ``start_as_current_span`` would.
        """
        headers: dict[str, str] = dict(row.trace_headers or {})  # type: ignore[attr-defined]
        span = tracer.start_span(
            f"{self.topology.exchange} publish",
            context=propagate.extract(headers),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": self.topology.exchange,
                "messaging.rabbitmq.destination.routing_key": row.routing_key,  # type: ignore[attr-defined]
                "messaging.message.id": str(row.event_id),  # type: ignore[attr-defined]
            },
        )
        try:
            carrier: dict[str, str] = {}
            propagate.inject(carrier, context=trace.set_span_in_context(span))
            message = event_message(
                body=row.body.encode(),  # type: ignore[attr-defined]
                event_id=str(row.event_id),  # type: ignore[attr-defined]
                event_type=row.event_type,  # type: ignore[attr-defined]
                headers=carrier,
                timestamp=row.created_at,  # type: ignore[attr-defined]
            )
            await publish_on(channel, self.topology.exchange, message, row.routing_key)  # type: ignore[attr-defined]
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
            raise
        finally:
            span.end()

    async def _publish_pack(self, channel: AbstractChannel, rows: list[Any]) -> None:
        """Publish events of one routing key and one trace context as one message, under
        one producer span (a child of that context) that counts them."""
        first = rows[0]
        span = tracer.start_span(
            f"{self.topology.exchange} publish",
            context=propagate.extract(dict(first.trace_headers or {})),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": self.topology.exchange,
                "messaging.rabbitmq.destination.routing_key": first.routing_key,
                "messaging.batch.message_count": len(rows),
            },
        )
        try:
            carrier: dict[str, str] = {}
            propagate.inject(carrier, context=trace.set_span_in_context(span))
            message = event_message(
                body=pack([row.body.encode() for row in rows]),
                event_id=None,
                event_type=first.event_type,
                headers=carrier,
                timestamp=first.created_at,
                content_type=PACK_CONTENT_TYPE,
            )
            await publish_on(channel, self.topology.exchange, message, first.routing_key)
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
            raise
        finally:
            span.end()

    async def refresh_backlog_metrics(self) -> tuple[int, float]:
        async with self.engine.connect() as conn:
            count, age = (await conn.execute(_BACKLOG)).one()
        metrics.OUTBOX_BACKLOG.labels(self.service).set(count)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(float(age))
        return int(count), float(age)

    async def _listen(self, stop: asyncio.Event) -> None:
        """Keep a ``LISTEN outbox`` connection; reconnect when it drops."""
        url = sync_url(self.engine.url.render_as_string(hide_password=False))
        while not stop.is_set():
            try:
                conn = await asyncpg.connect(url)
            except (OSError, asyncpg.PostgresError):
                await _sleep_or_stop(stop, 2.0)
                continue
            try:
                await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
                self._wake.set()  # catch up on anything committed while not listening
                while not stop.is_set() and not conn.is_closed():
                    await _sleep_or_stop(stop, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set, with back-off while a dependency is away."""
        listener = asyncio.create_task(self._listen(stop))
        backoff = 0.5
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    published = await self.relay_once()
                    backoff = 0.5
                except Exception as exc:  # broker or database away: back off, keep the rows
                    log.warning("outbox relay paused: %s", type(exc).__name__)
                    await _sleep_or_stop(stop, backoff)
                    backoff = min(backoff * 2, 10.0)
                    continue
                if published >= self.batch_size:
                    continue
                now = asyncio.get_running_loop().time()
                if now - self._backlog_read_at >= BACKLOG_METRICS_EVERY_SECONDS:
                    self._backlog_read_at = now
                    with contextlib.suppress(Exception):
                        await self.refresh_backlog_metrics()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                except TimeoutError:
                    continue
                if self.linger > 0:
                    await _sleep_or_stop(stop, self.linger)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


def _packs(rows: Sequence[Any], size: int) -> list[list[Any]]:
    """The batch's rows grouped into packs: one routing key and one trace context each,
    in outbox order, at most ``size`` events and about :data:`PACK_BYTES` bytes. A body
    with a raw newline travels alone."""
    if size == 1:
        return [[row] for row in rows]
    open_packs: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[list[Any], list[int]]] = {}
    packs: list[list[Any]] = []
    for row in rows:
        if "\n" in row.body:  # not a line of NDJSON (no envelope we write has one): alone
            packs.append([row])
            continue
        key = (row.routing_key, tuple(sorted((row.trace_headers or {}).items())))
        current = open_packs.get(key)
        length = len(row.body)
        if current is None or len(current[0]) >= size or current[1][0] + length > PACK_BYTES:
            current = ([], [0])
            open_packs[key] = current
            packs.append(current[0])
        current[0].append(row)
        current[1][0] += length
    return packs


class PublishFailed(Exception):
    """Some events of a batch were not confirmed; they stay in the outbox."""

    def __init__(self, count: int, first: BaseException) -> None:
        super().__init__(f"{count} events not confirmed: {type(first).__name__}: {first}")


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
