"""Running a service's event consumers in a test, against the real broker.

:func:`running_consumers` declares the service's topology (so nothing published before
the consumer starts is lost), runs ``service.run_consumers`` as a background task, and
on exit stops it and deletes the namespace's queues and exchanges. Tests publish real
envelopes with :meth:`ConsumerRun.publish` and wait for their effects with a deadline.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection
from contracts import Envelope
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from servicekit.bus import topology as bus_topology
from servicekit.bus.publisher import event_message, publish
from servicekit.service import Service
from servicekit.testing.wait import PATIENCE, wait_for

T = TypeVar("T")

OUTCOMES = ("handled", "duplicate", "ignored", "retried", "dead_lettered")
"""Outcomes the consumer counts in ``consumer_messages_total``."""


def envelope_message(
    envelope: Envelope, *, headers: Mapping[str, str] | None = None
) -> aio_pika.Message:
    """The AMQP message a relay would publish for ``envelope`` (persistent, identified)."""
    return event_message(
        body=envelope.model_dump_json().encode(),
        event_id=str(envelope.event_id),
        event_type=envelope.event_type,
        headers=headers,
        timestamp=envelope.occurred_at,
    )


async def publish_envelope(
    channel: AbstractChannel,
    topology: bus_topology.Topology,
    envelope: Envelope,
    *,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Publish ``envelope`` to the namespace's topic exchange and wait for the confirm."""
    exchange = await bus_topology.declare_exchange(channel, topology)
    await publish(exchange, envelope_message(envelope, headers=headers), envelope.routing_key)


def consumer_outcomes(service: str, queue: str) -> dict[str, float]:
    """This process's consumer counters for one queue (name without namespace)."""
    return {
        outcome: REGISTRY.get_sample_value(
            "consumer_messages_total", {"service": service, "queue": queue, "outcome": outcome}
        )
        or 0.0
        for outcome in OUTCOMES
    }


@dataclass
class ConsumerRun:
    """A service's consumers running in the background of one test."""

    service: Service
    channel: AbstractChannel
    task: asyncio.Task[None]
    _baseline: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._baseline = {q: consumer_outcomes(self.service.name, q) for q in self.queue_names}

    @property
    def queue_names(self) -> list[str]:
        return [spec.name for spec in self.service.consumers]

    def check_alive(self) -> None:
        """Fail at once when the consumers stopped on their own (they run until told)."""
        if self.task.done():
            exc = None if self.task.cancelled() else self.task.exception()
            raise AssertionError(f"the consumers of {self.service.name} stopped: {exc!r}")

    async def publish(
        self, envelope: Envelope, *, times: int = 1, headers: Mapping[str, str] | None = None
    ) -> None:
        """Publish ``envelope`` ``times`` times (more than once simulates redelivery)."""
        for _ in range(times):
            await publish_envelope(self.channel, self.service.topology, envelope, headers=headers)

    def outcomes(self, queue: str | None = None) -> dict[str, float]:
        """Outcomes counted since the run started, for ``queue`` (default: the only one
        bound to its own routing keys, i.e. not a rebuild's replay queue)."""
        if queue is None:
            live = [s.name for s in self.service.consumers if s.bindings is None]
            if len(live) != 1:
                raise ValueError(f"name the queue: {self.queue_names}")
            queue = live[0]
        now = consumer_outcomes(self.service.name, queue)
        return {k: now[k] - self._baseline[queue][k] for k in OUTCOMES}

    async def settled(
        self, *, queue: str | None = None, seconds: float = PATIENCE, **at_least: int
    ) -> dict[str, float]:
        """Wait until the consumer counted at least these outcomes since the run started.

        ``await run.settled(handled=1, duplicate=1)`` returns once the event was applied
        and its redelivery was recognised, so that the test asserts on a quiet state.
        """
        unknown = set(at_least) - set(OUTCOMES)
        if unknown:
            raise ValueError(f"unknown outcomes: {sorted(unknown)}")

        async def reached() -> dict[str, float] | None:
            counted = self.outcomes(queue)
            return counted if all(counted[k] >= n for k, n in at_least.items()) else None

        try:
            return await wait_for(
                reached,
                what=f"consumer outcomes {at_least}",
                seconds=seconds,
                alive=self.check_alive,
            )
        except AssertionError as timed_out:
            counted = {k: int(n) for k, n in self.outcomes(queue).items() if n}
            raise AssertionError(f"{timed_out} (counted so far: {counted})") from None

    async def wait_for(
        self, condition: Callable[[], Awaitable[T]], *, what: str, seconds: float = PATIENCE
    ) -> T:
        """:func:`servicekit.testing.wait.wait_for`, failing early if the consumers died."""
        return await wait_for(condition, what=what, seconds=seconds, alive=self.check_alive)

    async def inbox_count(self, event_id: uuid.UUID) -> int:
        """How many inbox rows the service holds for one event (one per handler)."""
        table = self.service.inbox
        async with self.service.session_factory() as session:
            count = await session.scalar(
                select(func.count()).select_from(table).where(table.c.message_id == event_id)
            )
        return int(count or 0)


@asynccontextmanager
async def running_consumers(
    service: Service, *, stop_seconds: float = 15.0
) -> AsyncIterator[ConsumerRun]:
    """Run ``service.run_consumers`` in the background; stop it and delete the namespace after.

    The service's ``bus_namespace`` must be unique to the test (the namespace's queues and
    exchanges are deleted on exit). The service itself (engine, connection) is closed by
    whoever built it.
    """
    if not service.settings.bus_namespace:
        raise ValueError("give the service a test bus_namespace; the default one is shared")
    connection: AbstractConnection = await aio_pika.connect(service.settings.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await bus_topology.declare(channel, service.topology)
        stop = asyncio.Event()
        task = asyncio.create_task(service.run_consumers(stop), name=f"{service.name}-consumers")
        try:
            yield ConsumerRun(service=service, channel=channel, task=task)
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=stop_seconds)
            finally:
                await bus_topology.delete(channel, service.topology)
    finally:
        await connection.close()
