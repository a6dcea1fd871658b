"""Event consumer: ``queue.consume`` → batches → one transaction with the inbox → ack.

- A message is acked only after the transaction that recorded it in the inbox, together
  with the handler's effects, has committed. A redelivered message finds its inbox row and
  is acked without running the handler again.
- A packed message (ADR 0070, :mod:`servicekit.bus.framing`) is taken apart into its
  events; everything below holds per event, and a message is acked when all its events
  are committed or moved.
- Events that arrive together are handled in one transaction (fewer commits); if that
  transaction fails, the batch is taken apart and each event handled on its own, so one
  poison event never holds back the others.
- A failing event is retried with back-off through the delay queues and, when the
  retries are spent, dead-lettered (published with a confirm to the dead-letter exchange,
  as a message of its own, then its message acked). An event whose envelope cannot be
  read is dead-lettered at once.
- While the database is unreachable the consumer pauses: it keeps its messages unacked,
  waits for the database, then carries on. Nothing is requeued or dead-lettered because
  of the outage, so the queue's delivery limit is not spent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from aio_pika.exceptions import ChannelInvalidStateError
from contracts import Envelope
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from pydantic import ValidationError
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicekit import context, inbox, metrics
from servicekit.bus import framing
from servicekit.bus.publisher import event_message
from servicekit.bus.topology import QueueSpec, Topology, declare_queue
from servicekit.db import is_database_unavailable
from servicekit.scrub import scrub

log = logging.getLogger(__name__)
tracer = trace.get_tracer("servicekit.consumer")

EventHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]
"""Applies one event inside the consumer's transaction. Raise to refuse it."""


@dataclass(frozen=True)
class BatchHandler:
    """Applies all new events of one type that arrived together, in one call.

    For projections and other handlers that write one row per event: one multi-row
    statement instead of one per event. Events come in delivery order; if the call
    raises, the consumer retries the events one by one, so a poison event is isolated.
    Events written from a batch handler get no causation id (there are several causes).
    """

    apply: Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]


Handler = EventHandler | BatchHandler

RETRY_HEADER = "x-retry-attempt"
ERROR_HEADER = "x-last-error"


@dataclass(slots=True)
class _Delivery:
    """One event of a message: the whole message, or one envelope of a packed one."""

    message: AbstractIncomingMessage
    envelope: Envelope | None
    body: bytes
    """The event's envelope as it came (the message's body unless packed)."""
    packed: bool
    trace_context: otel_context.Context
    """The producer's trace context (the message's headers; one per message)."""


class Consumer:
    """Consumes one queue for one service and applies events with registered handlers.

    ``handlers`` maps a routing key (``auth.organisation.registered.v1``) to its handler
    (an :data:`EventHandler`, or a :class:`BatchHandler`); the inbox key is
    ``(event_id, "<queue>:<routing key>")``.
    """

    def __init__(
        self,
        *,
        service: str,
        connection: AbstractRobustConnection,
        topology: Topology,
        spec: QueueSpec,
        handlers: Mapping[str, Handler],
        session_factory: async_sessionmaker[AsyncSession],
        inbox_table: Table,
        prefetch: int = 256,
        batch_size: int = 128,
    ) -> None:
        missing = set(handlers) - set(spec.routing_keys)
        if missing:
            raise ValueError(f"handlers for keys the queue does not bind: {sorted(missing)}")
        self.service = service
        self.connection = connection
        self.topology = topology
        self.spec = spec
        self.handlers = dict(handlers)
        self.session_factory = session_factory
        self.inbox_table = inbox_table
        self.prefetch = prefetch
        self.batch_size = batch_size
        self.queue_name = topology.queue_name(spec)
        self._buffer: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._channel: AbstractChannel | None = None

    # -- running -----------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; then finish the batch in hand and return."""
        channel = await self.connection.channel(publisher_confirms=True)
        self._channel = channel
        await channel.set_qos(prefetch_count=self.prefetch)
        queue = await declare_queue(channel, self.topology, self.spec)
        tag = await queue.consume(self._on_message)
        log.info("consuming", extra={"queue": self.queue_name})
        try:
            while not stop.is_set():
                batch = await self._next_batch(stop)
                if batch:
                    await self._process(batch)
        finally:
            with contextlib.suppress(Exception):
                await queue.cancel(tag)
            with contextlib.suppress(Exception):
                await channel.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        await self._buffer.put(message)

    async def _next_batch(self, stop: asyncio.Event) -> list[AbstractIncomingMessage]:
        getter = asyncio.ensure_future(self._buffer.get())
        stopper = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if getter not in done:
            getter.cancel()
            return []
        batch = [getter.result()]
        events = _event_count(batch[0])
        while events < self.batch_size and not self._buffer.empty():
            message = self._buffer.get_nowait()
            batch.append(message)
            events += _event_count(message)
        return batch

    # -- processing --------------------------------------------------------------------

    async def _process(self, messages: Sequence[AbstractIncomingMessage]) -> None:
        """Apply the events of some messages; then settle each message: ack it when every
        event in it is applied (or moved to a retry or dead-letter queue with a confirm),
        else requeue it (an event could not be moved; the applied ones are duplicates then).
        """
        deliveries = [d for m in messages for d in _deliveries(m)]
        unmoved: set[int] = set()  # id() of messages holding an event that was not moved
        for d in deliveries:
            if d.envelope is None and not await self._dead_letter(d, "unreadable envelope"):
                unmoved.add(id(d.message))
        readable = [d for d in deliveries if d.envelope is not None]
        if readable:
            try:
                self._count(await self._apply_with_pause(readable), readable)
            except Exception as exc:
                if len(readable) == 1:
                    if not await self._retry_or_dead_letter(readable[0], exc):
                        unmoved.add(id(readable[0].message))
                else:  # take the batch apart: a poison event is retried alone
                    for d in readable:
                        try:
                            self._count(await self._apply_with_pause([d]), [d])
                        except Exception as one_exc:
                            if not await self._retry_or_dead_letter(d, one_exc):
                                unmoved.add(id(d.message))
        for message in messages:
            if id(message) in unmoved:
                with contextlib.suppress(Exception):
                    await message.nack(requeue=True)
        await _ack_all([m for m in messages if id(m) not in unmoved])

    def _count(self, outcome: list[str], deliveries: Sequence[_Delivery]) -> None:
        for result in set(outcome):
            metrics.CONSUMER_MESSAGES.labels(self.service, self.spec.name, result).inc(
                outcome.count(result)
            )
        self._observe_lag(deliveries)

    def _observe_lag(self, deliveries: Sequence[_Delivery]) -> None:
        """How long each event took from its occurrence until it was applied here."""
        now = datetime.now(UTC)
        age = metrics.CONSUMER_EVENT_AGE.labels(self.service, self.spec.name)
        for d in deliveries:
            if d.envelope is not None:
                age.observe(max((now - d.envelope.occurred_at).total_seconds(), 0.0))

    async def _apply_with_pause(self, deliveries: Sequence[_Delivery]) -> list[str]:
        """Apply a batch; while the database is away, wait for it and try again."""
        paused = False
        delay = 0.5
        try:
            while True:
                try:
                    return await self._apply(deliveries)
                except Exception as exc:
                    if not is_database_unavailable(exc) or await self._database_answers():
                        raise  # a failure of the handler (or a dependency of it), not an outage
                    if not paused:
                        paused = True
                        metrics.CONSUMER_PAUSED.labels(self.service, self.spec.name).set(1)
                        log.warning(
                            "database unavailable, consumer paused",
                            extra={"queue": self.queue_name},
                        )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    await self._wait_for_database()
        finally:
            if paused:
                metrics.CONSUMER_PAUSED.labels(self.service, self.spec.name).set(0)
                log.info("database back, consumer resumed", extra={"queue": self.queue_name})

    async def _database_answers(self) -> bool:
        try:
            async with self.session_factory() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def _wait_for_database(self) -> None:
        delay = 0.5
        while True:
            try:
                async with self.session_factory() as session:
                    await session.execute(text("SELECT 1"))
                return
            except Exception as exc:
                if not is_database_unavailable(exc):
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _apply(self, deliveries: Sequence[_Delivery]) -> list[str]:
        """One transaction: claim the inbox rows, run the handlers of new events, commit."""
        results: list[str] = []
        async with self.session_factory() as session, session.begin():
            by_handler: dict[str, list[uuid.UUID]] = {}
            for d in deliveries:
                assert d.envelope is not None
                key = d.envelope.routing_key
                if key in self.handlers:
                    by_handler.setdefault(key, []).append(d.envelope.event_id)
            fresh: dict[str, set[uuid.UUID]] = {  # keys and ids in one order (no deadlock)
                key: await inbox.claim(session, self.inbox_table, self._inbox_key(key), ids)
                for key, ids in sorted(by_handler.items())
            }
            batches: dict[str, list[_Delivery]] = {}
            for d in deliveries:
                assert d.envelope is not None
                env = d.envelope
                handler = self.handlers.get(env.routing_key)
                if handler is None:
                    results.append("ignored")
                    continue
                if env.event_id not in fresh[env.routing_key]:
                    results.append("duplicate")
                    continue
                fresh[env.routing_key].discard(env.event_id)  # a duplicate within the batch
                if isinstance(handler, BatchHandler):
                    batches.setdefault(env.routing_key, []).append(d)
                else:
                    await self._run_handler(handler, session, d)
                results.append("handled")
            for key, batch in batches.items():
                handler = self.handlers[key]
                assert isinstance(handler, BatchHandler)
                await self._run_batch(handler, session, batch)
        return results

    def _inbox_key(self, routing_key: str) -> str:
        return f"{self.spec.name}:{routing_key}"

    def _span(self, delivery: _Delivery) -> AbstractContextManager[Span]:
        """The consumer span of one event, continuing the trace of its producer."""
        return tracer.start_as_current_span(**self._span_arguments([delivery]))

    def _span_arguments(self, deliveries: Sequence[_Delivery]) -> dict[str, Any]:
        """A consumer span for events of one message: the event's id when it is one, the
        count when they are several events of a pack (ADR 0070)."""
        env = deliveries[0].envelope
        assert env is not None
        attributes: dict[str, str | int] = {
            "messaging.system": "rabbitmq",
            "messaging.destination.name": self.queue_name,
            "messaging.operation.type": "process",
            "event.type": env.routing_key,
        }
        if len(deliveries) == 1:
            attributes["messaging.message.id"] = str(env.event_id)
        else:
            attributes["messaging.batch.message_count"] = len(deliveries)
        return {
            "name": f"{self.queue_name} process",
            "context": deliveries[0].trace_context,
            "kind": SpanKind.CONSUMER,
            "attributes": attributes,
        }

    async def _run_handler(
        self, handler: EventHandler, session: AsyncSession, delivery: _Delivery
    ) -> None:
        env = delivery.envelope
        assert env is not None
        tokens = (
            context.correlation_id.set(env.correlation_id or env.event_id),
            context.causation_id.set(env.event_id),
        )
        try:
            with self._span(delivery):
                await handler(session, env)
        finally:
            context.correlation_id.reset(tokens[0])
            context.causation_id.reset(tokens[1])

    async def _run_batch(
        self, handler: BatchHandler, session: AsyncSession, batch: Sequence[_Delivery]
    ) -> None:
        """Apply a batch; each message still gets its span in its producer's trace: one
        per event of a single-event message, one for the events of a pack in the batch
        (they share their producer span, as they shared one request; ADR 0070).

        The spans are started side by side, not entered one inside the other: only the
        last one becomes current (the handler's statements are traced under it, as when
        they were nested), which spares a context manager and a context attach per event.
        A failure is recorded on every span of the batch.
        """
        by_message: dict[int, list[_Delivery]] = {}
        for d in batch:
            by_message.setdefault(id(d.message), []).append(d)
        spans = [tracer.start_span(**self._span_arguments(ds)) for ds in by_message.values()]
        token = otel_context.attach(trace.set_span_in_context(spans[-1]))
        try:
            await handler.apply(session, [d.envelope for d in batch if d.envelope is not None])
        except BaseException as exc:
            for span in spans:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
            raise
        finally:
            otel_context.detach(token)
            for span in reversed(spans):
                span.end()

    # -- failure paths -----------------------------------------------------------------

    async def _retry_or_dead_letter(self, delivery: _Delivery, exc: BaseException) -> bool:
        """Move a failed event to its next delay queue, or dead-letter it when the retries
        are spent; ``False`` if it could not be moved (its message must be redelivered)."""
        attempt = _retry_attempt(delivery.message) + 1
        # kept with the dead letter and shown to operators: scrubbed like a log line
        reason = scrub(f"{type(exc).__name__}: {exc}")[:300]
        event_id = _event_id(delivery)
        if attempt > len(self.spec.retry_delays):
            log.error(
                "dead-lettering after %d attempts",
                attempt - 1,
                extra={"queue": self.queue_name, "event_id": event_id},
                exc_info=exc,
            )
            return await self._dead_letter(delivery, reason)
        log.warning(
            "handler failed, retrying",
            extra={"queue": self.queue_name, "event_id": event_id, "attempt": attempt},
            exc_info=exc,
        )
        moved = await self._republish(
            delivery,
            exchange="",
            routing_key=self.topology.retry_queue_name(self.spec, attempt),
            extra_headers={RETRY_HEADER: attempt, ERROR_HEADER: reason},
        )
        if moved:
            metrics.CONSUMER_MESSAGES.labels(self.service, self.spec.name, "retried").inc()
        return moved

    async def _dead_letter(self, delivery: _Delivery, reason: str) -> bool:
        moved = await self._republish(
            delivery,
            exchange=self.topology.dead_letter_exchange,
            routing_key=self.queue_name,
            extra_headers={ERROR_HEADER: reason, "x-dead-lettered-by": self.service},
        )
        if moved:
            metrics.CONSUMER_MESSAGES.labels(self.service, self.spec.name, "dead_lettered").inc()
        return moved

    async def _republish(
        self,
        delivery: _Delivery,
        *,
        exchange: str,
        routing_key: str,
        extra_headers: Mapping[str, Any],
    ) -> bool:
        """Publish a copy of one event with a confirm (an event of a packed message as a
        message of its own); the caller acks the original after that (at least once)."""
        assert self._channel is not None
        message = delivery.message
        headers = {**dict(message.headers or {}), **extra_headers}
        copy = event_message(
            body=delivery.body,
            event_id=_event_id(delivery),
            event_type=message.type or "",
            headers=headers,
            timestamp=message.timestamp,
        )
        target = (
            self._channel.default_exchange
            if exchange == ""
            else await self._channel.get_exchange(exchange, ensure=False)
        )
        try:
            await target.publish(copy, routing_key=routing_key, timeout=30)
        except Exception:
            log.exception(
                "could not move message, leaving it for redelivery",
                extra={"queue": self.queue_name},
            )
            return False
        return True


def _retry_attempt(message: AbstractIncomingMessage) -> int:
    value = (message.headers or {}).get(RETRY_HEADER, 0)
    return value if isinstance(value, int) else 0


def _deliveries(message: AbstractIncomingMessage) -> list[_Delivery]:
    """The events of a message: its body, or each line of a packed one (ADR 0070)."""
    trace_context = propagate.extract(dict(message.headers or {}))
    if not framing.is_packed(message.content_type):
        body = message.body
        return [_Delivery(message, _read_envelope(body), body, False, trace_context)]
    return [
        _Delivery(message, _read_envelope(body), body, True, trace_context)
        for body in framing.unpack(message.body)
    ]


def _event_count(message: AbstractIncomingMessage) -> int:
    return framing.event_count(message.content_type, message.body)


def _event_id(delivery: _Delivery) -> str:
    """The event's id as its own message carries it (``message_id``)."""
    if not delivery.packed:
        return delivery.message.message_id or ""
    return "" if delivery.envelope is None else str(delivery.envelope.event_id)


def _read_envelope(body: bytes) -> Envelope | None:
    try:
        return Envelope.model_validate_json(body)
    except ValidationError:
        return None


async def _ack_all(messages: Sequence[AbstractIncomingMessage]) -> None:
    """Ack a committed batch with one frame when that is exact, else one by one.

    ``multiple=True`` settles every unsettled delivery up to the last one on its channel.
    That is exactly this batch when all of it came on one channel: the consumer settles
    messages in delivery order and never starts a batch before the previous one is
    settled (acked, or moved to a retry or dead-letter queue and acked).
    """
    if not messages:
        return
    last = messages[-1]
    channels = {_channel_of(m) for m in messages}
    if len(messages) > 1 and len(channels) == 1 and None not in channels:
        try:
            await last.ack(multiple=True)
        except Exception:
            log.warning(
                "ack failed (channel closed); messages will be redelivered",
                extra={"event_id": last.message_id},
            )
        return
    for message in messages:
        await _ack(message)


def _channel_of(message: AbstractIncomingMessage) -> object | None:
    """The channel a message came on, or ``None`` once that channel has closed."""
    try:
        return message.channel
    except ChannelInvalidStateError:
        return None


async def _ack(message: AbstractIncomingMessage) -> None:
    """Ack; if the channel died meanwhile, the broker redelivers and the inbox dedupes."""
    try:
        await message.ack()
    except Exception:
        log.warning(
            "ack failed (channel closed); message will be redelivered",
            extra={"event_id": message.message_id},
        )


async def publish_raw(
    connection: AbstractRobustConnection, exchange: str, routing_key: str, message: aio_pika.Message
) -> None:
    """Publish one message with a confirm on a short-lived channel (tools and tests)."""
    async with connection.channel(publisher_confirms=True) as channel:
        target = (
            channel.default_exchange
            if exchange == ""
            else await channel.get_exchange(exchange, ensure=False)
        )
        await target.publish(message, routing_key=routing_key, timeout=30)
