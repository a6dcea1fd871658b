"""The bus topology, declared idempotently by every process that uses it.

- one durable topic exchange ``events`` that every producer publishes to;
- per consuming service a durable quorum queue bound to explicit routing keys;
- per queue one quorum delay queue per retry step whose expired messages return to the
  queue (retry with back-off);
- a direct dead-letter exchange ``events.dlx`` and per queue a ``<queue>.dlq`` that ops
  can inspect and replay; the broker dead-letters at least once (``x-delivery-limit``
  reached or rejected), and the consumer dead-letters with publisher confirms.

A namespace prefix (``bus_namespace``) separates test runs on one broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

DELIVERY_LIMIT = 20


def _fmt_delay(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


@dataclass(frozen=True)
class QueueSpec:
    """One consumer's queue: its name (without namespace) and explicit bindings.

    ``routing_keys`` are the event types it handles and, unless ``bindings`` is given, the
    keys it binds. A replay queue (``servicekit.replay``) handles the same event types but
    binds only ``replay.<consumer>.#``.
    """

    name: str
    routing_keys: tuple[str, ...]
    retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    delivery_limit: int = DELIVERY_LIMIT
    bindings: tuple[str, ...] | None = None

    @property
    def bound_keys(self) -> tuple[str, ...]:
        """The routing keys the queue is bound to."""
        return self.routing_keys if self.bindings is None else self.bindings


@dataclass(frozen=True)
class Topology:
    """Names of everything on the broker, under one namespace."""

    namespace: str = ""
    queues: tuple[QueueSpec, ...] = field(default_factory=tuple)

    @property
    def exchange(self) -> str:
        return f"{self.namespace}events"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}events.dlx"

    def queue_name(self, spec: QueueSpec) -> str:
        return f"{self.namespace}{spec.name}"

    def dlq_name(self, spec: QueueSpec) -> str:
        return f"{self.queue_name(spec)}.dlq"

    def retry_queue_name(self, spec: QueueSpec, attempt: int) -> str:
        """Delay queue for retry ``attempt`` (1-based)."""
        return f"{self.queue_name(spec)}.retry.{_fmt_delay(spec.retry_delays[attempt - 1])}"


async def declare_exchange(channel: AbstractChannel, topology: Topology) -> AbstractExchange:
    return await channel.declare_exchange(
        topology.exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )


async def declare_queue(
    channel: AbstractChannel, topology: Topology, spec: QueueSpec
) -> AbstractQueue:
    """Declare one consumer queue with its bindings, delay queues and dead-letter queue."""
    exchange = await declare_exchange(channel, topology)
    dlx = await channel.declare_exchange(
        topology.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True
    )
    name = topology.queue_name(spec)
    dlq = await channel.declare_queue(
        topology.dlq_name(spec), durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dlq.bind(dlx, routing_key=name)
    queue = await channel.declare_queue(
        name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": spec.delivery_limit,
            "x-dead-letter-exchange": topology.dead_letter_exchange,
            "x-dead-letter-routing-key": name,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )
    for key in spec.bound_keys:
        await queue.bind(exchange, routing_key=key)
    for attempt, delay in enumerate(spec.retry_delays, start=1):
        await channel.declare_queue(
            topology.retry_queue_name(spec, attempt),
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-message-ttl": round(delay * 1000),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": name,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )
    return queue


async def declare(channel: AbstractChannel, topology: Topology) -> None:
    """Declare the exchange and every queue of the topology (idempotent)."""
    await declare_exchange(channel, topology)
    for spec in topology.queues:
        await declare_queue(channel, topology, spec)


async def delete(channel: AbstractChannel, topology: Topology) -> None:
    """Remove everything of a namespace (tests clean up their own namespace)."""
    for spec in topology.queues:
        for attempt in range(1, len(spec.retry_delays) + 1):
            await channel.queue_delete(topology.retry_queue_name(spec, attempt))
        await channel.queue_delete(topology.queue_name(spec))
        await channel.queue_delete(topology.dlq_name(spec))
    await channel.exchange_delete(topology.exchange)
    await channel.exchange_delete(topology.dead_letter_exchange)
