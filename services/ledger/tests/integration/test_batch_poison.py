"""A batch of case registrations with a poison event in the middle, delivered and then
replayed whole: every other case is booked once, the poison event is dead-lettered.

The consumer is driven directly with the messages fetched from its queue, so the ten
events are one batch for certain (a running consumer takes whatever has arrived).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from contracts import Envelope
from contracts.cases import CaseRegistered
from ledger.adapters.orm import journal_entries, ledger_cases
from ledger.bootstrap import LedgerService
from servicekit.bus import topology as bus_topology
from servicekit.bus.consumer import Consumer
from servicekit.testing.bus import consumer_outcomes, publish_envelope
from servicekit.testing.wait import wait_for
from sqlalchemy import func, select, text

from .test_case_events import registered

pytestmark = pytest.mark.integration

BATCH = 10
POISON_AT = 5


def batch_with_poison(creditor_id: uuid.UUID) -> tuple[list[Envelope], Envelope]:
    """Ten registrations; the sixth one's payload is not a valid ``CaseRegistered`` (a
    producer's bug: the envelope reads, the handler refuses it)."""
    envelopes = [Envelope.wrap(registered(creditor_id)) for _ in range(BATCH)]
    good = envelopes[POISON_AT]
    poison = good.model_copy(update={"data": {**good.data, "claims": "not a list"}})
    envelopes[POISON_AT] = poison
    return envelopes, poison


async def fetch(queue: AbstractQueue, count: int) -> list[AbstractIncomingMessage]:
    """``count`` messages from the queue (waiting for the broker to route them)."""
    messages: list[AbstractIncomingMessage] = []

    async def all_there() -> bool:
        message = await queue.get(no_ack=False, fail=False)
        if message is not None:
            messages.append(message)
        return len(messages) >= count

    await wait_for(all_there, what=f"{count} messages on {queue.name}", seconds=60)
    return messages


async def booked(service: LedgerService, case_ids: Sequence[uuid.UUID]) -> tuple[int, int, int]:
    """Cases known, registration entries, balance events in the outbox: for these cases."""
    async with service.session_factory() as session:
        cases = await session.scalar(
            select(func.count()).where(ledger_cases.c.case_id.in_(case_ids))
        )
        entries = await session.scalar(
            select(func.count()).where(
                journal_entries.c.case_id.in_(case_ids),
                journal_entries.c.kind == "claim_registered",
            )
        )
        balances = await session.scalar(
            text(
                "SELECT count(*) FROM outbox WHERE event_type = 'ledger.case.balance_changed'"
                " AND (body::jsonb -> 'data' ->> 'case_id')::uuid = ANY(:ids)"
            ),
            {"ids": list(case_ids)},
        )
    return int(cases or 0), int(entries or 0), int(balances or 0)


async def process_what_arrives(
    consumer: Consumer, queue: AbstractQueue, dlq: AbstractQueue, dead: int
) -> list[AbstractIncomingMessage]:
    """Drive the consumer over whatever comes back from the delay queues until ``dead``
    messages are dead-lettered; those dead letters."""
    letters: list[AbstractIncomingMessage] = []

    async def done() -> bool:
        message = await queue.get(no_ack=False, fail=False)
        if message is not None:
            await consumer._process([message])
        letter = await dlq.get(no_ack=True, fail=False)
        if letter is not None:
            letters.append(letter)
        return len(letters) >= dead

    await wait_for(done, what=f"{dead} dead letters", seconds=60)
    return letters


async def test_a_replayed_batch_with_a_poison_event_books_the_rest_once(
    service: LedgerService,
) -> None:
    connection = await aio_pika.connect_robust(service.settings.amqp_url)
    channel: AbstractChannel = await connection.channel(publisher_confirms=True)
    topology = service.topology
    await bus_topology.declare(channel, topology)
    try:
        (consumer,) = service.build_consumers(connection)
        consumer._channel = channel  # what run() sets: dead letters and retries go out on it
        queue = await channel.get_queue(topology.queue_name(consumer.spec), ensure=False)
        dlq = await channel.get_queue(topology.dlq_name(consumer.spec), ensure=False)
        before = consumer_outcomes(service.name, consumer.spec.name)

        envelopes, poison = batch_with_poison(uuid.uuid4())
        good_ids = [e.payload(CaseRegistered).case_id for e in envelopes if e is not poison]

        for envelope in envelopes:
            await publish_envelope(channel, topology, envelope)
        await consumer._process(await fetch(queue, BATCH))  # the batch fails, then one by one
        assert await booked(service, good_ids) == (BATCH - 1, BATCH - 1, BATCH - 1)

        for envelope in envelopes:  # the whole batch again (a redelivery, a replay)
            await publish_envelope(channel, topology, envelope)
        # the first poison copy, back from its delay queue, may be among them: all the same
        await consumer._process(await fetch(queue, BATCH))
        dead = await process_what_arrives(consumer, queue, dlq, dead=2)

        assert await booked(service, good_ids) == (BATCH - 1, BATCH - 1, BATCH - 1)
        counted = consumer_outcomes(service.name, consumer.spec.name)
        assert counted["handled"] - before["handled"] == BATCH - 1
        assert counted["duplicate"] - before["duplicate"] == BATCH - 1
        assert counted["dead_lettered"] - before["dead_lettered"] == 2
        assert {m.message_id for m in dead} == {str(poison.event_id)}
        async with service.session_factory() as session:
            inbox = service.inbox
            poisoned = await session.scalar(
                select(func.count()).where(inbox.c.message_id == poison.event_id)
            )
        assert poisoned == 0  # never recorded as handled
    finally:
        await bus_topology.delete(channel, topology)
        await connection.close()
