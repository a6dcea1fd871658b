"""Replaying a producer's published events to a consumer that rebuilds a projection.

The outbox keeps every event a service published (the relay marks rows ``sent_at``; none
is deleted), so it is the producer's history. A consumer that rebuilds a read model
publishes ``reports.replay.requested.v1`` (:class:`contracts.reports.ReplayRequested`);
every producer that handles it (:func:`replay_handler`) copies its sent outbox rows of
the asked routing keys, oldest first, into new outbox rows under the routing key
``replay.<reply_to>.<routing key>``, in the transaction that consumes the request. The
relay publishes them like any other row. Only the rebuilding consumer's replay queue
(:func:`replay_queue`) binds ``replay.<reply_to>.#``: live consumers never see a replay.

A replayed event keeps its envelope (``event_id``, payload, ``occurred_at``); its outbox
row gets an id of its own, derived from the request and the original (``md5`` of both),
so a redelivered request copies nothing twice. The replay queue has its own inbox keys
(``<queue>:<routing key>``), so replayed events are not taken for duplicates of the live
ones the consumer already applied; the rebuilding consumer clears them before it asks.
"""

from __future__ import annotations

from contracts import Envelope
from contracts.reports import ReplayRequested
from sqlalchemy import String, Table, Uuid, cast, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.bus.consumer import EventHandler
from servicekit.bus.topology import QueueSpec
from servicekit.outbox import wake_relay_after_commit


def replay_queue(
    consumer: str, routing_keys: tuple[str, ...], retry_delays: tuple[float, ...]
) -> QueueSpec:
    """The queue a rebuilding consumer reads replays from: it handles ``routing_keys``
    and binds only ``replay.<consumer>.#``."""
    return QueueSpec(
        name=f"{consumer}.replay",
        routing_keys=routing_keys,
        retry_delays=retry_delays,
        bindings=(ReplayRequested.replay_key(consumer, "#"),),
    )


_COLUMNS = ["event_id", "event_type", "routing_key", "body", "trace_headers"]


def replay_handler(outbox: Table) -> EventHandler:
    """The handler of ``reports.replay.requested.v1`` for a producer with this outbox."""

    async def replay(session: AsyncSession, envelope: Envelope) -> None:
        request = envelope.payload(ReplayRequested)
        prefix = ReplayRequested.replay_key(request.reply_to, "")
        own_id = cast(
            func.md5(literal(str(request.replay_id)) + cast(outbox.c.event_id, String)), Uuid
        )
        history = (
            select(
                own_id,
                outbox.c.event_type,
                literal(prefix) + outbox.c.routing_key,
                outbox.c.body,
                literal({}, JSONB),
            )
            .where(outbox.c.sent_at.is_not(None), outbox.c.routing_key.in_(request.routing_keys))
            .order_by(outbox.c.id)
        )
        copy = (
            insert(outbox)
            .from_select(
                ["event_id", "event_type", "routing_key", "body", "trace_headers"], history
            )
            .on_conflict_do_nothing(index_elements=[outbox.c.event_id])
        )
        result = await session.execute(copy)
        if getattr(result, "rowcount", 0):
            wake_relay_after_commit(session, (await session.connection()).engine)

    return replay
