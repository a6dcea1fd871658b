"""A miniature service for servicekit's own tests: outbox, relay, broker, consumer, inbox.

Each test gets its own database and bus namespace, so leftovers never cross tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractRobustConnection
from contracts import Envelope, EventData
from servicekit import metrics
from servicekit.bus import framing
from servicekit.bus import topology as bus_topology
from servicekit.bus.connection import connect
from servicekit.bus.consumer import BatchHandler, Consumer
from servicekit.bus.publisher import event_message
from servicekit.bus.topology import QueueSpec, Topology
from servicekit.db import make_engine, make_metadata, make_session_factory
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from servicekit.relay import PACK_SIZE, OutboxRelay
from servicekit.testing import infra
from servicekit.uow import UnitOfWork
from sqlalchemy import BigInteger, Column, Integer, Table, Uuid, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

metadata = make_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False),
    Column("seq", Integer, nullable=False),
)


class ThingHappened(EventData):
    """A test event: something numbered ``seq`` happened."""

    event_type = "kit.thing.happened"
    seq: int


ROUTING_KEY = ThingHappened.routing_key()
_counter = itertools.count()


async def create_kit_database() -> tuple[str, str]:
    name = f"{infra.run_database_name('kit')}_{next(_counter)}"
    url = await infra.create_database(name)
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    return name, url


@dataclass
class Kit:
    """One miniature service wired to a real database and a real broker namespace."""

    url: str
    namespace: str
    service: str = field(default_factory=lambda: f"kit{uuid.uuid4().hex[:6]}")
    retry_delays: tuple[float, ...] = (0.2, 0.5)
    poison: set[int] = field(default_factory=set)
    consumer_url: str | None = None
    batch: bool = False
    """Register the handler as a :class:`BatchHandler` (one INSERT per batch)."""
    pack_size: int = PACK_SIZE
    """The relay's events per message (ADR 0070); 1: one event per message."""
    relay_linger: float = 0.0
    """Seconds the relay waits after a wake-up before it claims (ADR 0067)."""
    engine: AsyncEngine = field(init=False)
    consumer_engine: AsyncEngine = field(init=False)
    session_factory: async_sessionmaker[AsyncSession] = field(init=False)
    connection: AbstractRobustConnection = field(init=False)
    spec: QueueSpec = field(init=False)
    topology: Topology = field(init=False)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> Kit:
        self.engine = make_engine(self.url)
        self.consumer_engine = make_engine(self.consumer_url or self.url)
        self.session_factory = make_session_factory(self.engine)
        self.spec = QueueSpec("kit.events", (ROUTING_KEY,), retry_delays=self.retry_delays)
        self.topology = Topology(self.namespace, (self.spec,))
        self.connection = await connect(infra.AMQP_URL, name=self.service)
        async with self.connection.channel() as channel:
            await bus_topology.declare(channel, self.topology)
        return self

    async def handler(self, session: AsyncSession, envelope: Envelope) -> None:
        event = envelope.payload(ThingHappened)
        if event.seq in self.poison:
            raise ValueError(f"cannot apply thing {event.seq}")
        await session.execute(insert(effects).values(event_id=envelope.event_id, seq=event.seq))

    async def batch_handler(self, session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        events = [(e.event_id, e.payload(ThingHappened)) for e in envelopes]
        poisoned = [event.seq for _, event in events if event.seq in self.poison]
        if poisoned:
            raise ValueError(f"cannot apply thing {poisoned[0]}")
        await session.execute(
            insert(effects), [{"event_id": i, "seq": event.seq} for i, event in events]
        )

    def consumer(self) -> Consumer:
        return Consumer(
            service=self.service,
            connection=self.connection,
            topology=self.topology,
            spec=self.spec,
            handlers={
                ROUTING_KEY: BatchHandler(self.batch_handler) if self.batch else self.handler
            },
            session_factory=make_session_factory(self.consumer_engine),
            inbox_table=inbox,
            prefetch=256,
            batch_size=128,
        )

    def relay(self, connection: AbstractRobustConnection | None = None) -> OutboxRelay:
        return OutboxRelay(
            service=self.service,
            engine=self.engine,
            connection=connection or self.connection,
            topology=self.topology,
            batch_size=500,
            poll_seconds=0.5,
            pack_size=self.pack_size,
            linger=self.relay_linger,
        )

    def run_consumer(self) -> None:
        self.tasks.append(asyncio.create_task(self.consumer().run(self.stop)))

    def run_relay(self) -> None:
        self.tasks.append(asyncio.create_task(self.relay().run(self.stop)))

    async def emit(self, count: int, *, start: int = 0, per_transaction: int = 500) -> None:
        """Write ``count`` events to the outbox, in transactions of ``per_transaction``."""
        for first in range(start, start + count, per_transaction):
            async with UnitOfWork(self.session_factory, outbox) as uow:
                for seq in range(first, min(first + per_transaction, start + count)):
                    uow.emit(ThingHappened(seq=seq))
                await uow.commit()

    async def scalar(self, sql: str) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())

    async def execute(self, sql: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(text(sql))

    async def effect_counts(self) -> tuple[int, int]:
        """(effects applied, distinct events applied)."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(func.count(), func.count(func.distinct(effects.c.event_id)))
                )
            ).one()
        return int(row[0]), int(row[1])

    def counter(self, outcome: str) -> float:
        value: float = metrics.CONSUMER_MESSAGES.labels(
            self.service, self.spec.name, outcome
        )._value.get()
        return value

    def check_alive(self) -> None:
        """Fail at once when a worker task has died (instead of waiting out a deadline)."""
        for task in self.tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise AssertionError(f"a worker died: {task.exception()!r}")

    async def queue_depth(self) -> int:
        async with self.connection.channel() as channel:
            q = await channel.declare_queue(self.topology.queue_name(self.spec), passive=True)
            return int(q.declaration_result.message_count or 0)

    async def dead_letter_count(self) -> int:
        async with self.connection.channel() as channel:
            q = await channel.declare_queue(self.topology.dlq_name(self.spec), passive=True)
            return int(q.declaration_result.message_count or 0)

    async def publish_raw(self, envelope: Envelope, *, times: int = 1) -> None:
        async with self.connection.channel(publisher_confirms=True) as channel:
            exchange = await channel.get_exchange(self.topology.exchange)
            for _ in range(times):
                await exchange.publish(
                    aio_pika.Message(
                        envelope.model_dump_json().encode(),
                        message_id=str(envelope.event_id),
                        type=envelope.event_type,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=envelope.routing_key,
                )

    async def publish_pack(
        self, bodies: Sequence[bytes], *, headers: dict[str, str] | None = None
    ) -> None:
        """Publish envelopes (as JSON) as one packed message, as a relay does (ADR 0070)."""
        async with self.connection.channel(publisher_confirms=True) as channel:
            exchange = await channel.get_exchange(self.topology.exchange)
            message = event_message(
                body=framing.pack(bodies),
                event_id=None,
                event_type=ThingHappened.event_type,
                headers=headers,
                content_type=framing.PACK_CONTENT_TYPE,
            )
            await exchange.publish(message, routing_key=ROUTING_KEY)

    async def close(self) -> None:
        self.stop.set()
        for task in self.tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=30)
        async with self.connection.channel() as channel:
            await bus_topology.delete(channel, self.topology)
        await self.connection.close()
        await self.engine.dispose()
        await self.consumer_engine.dispose()
