"""Dead letters for the ops tests: one put in a real dead-letter queue as the consumer
leaves it (its cause since fixed), and the check that its effect arrived once replayed."""

from __future__ import annotations

import random
import uuid

import aio_pika
import asyncpg
from contracts import Envelope
from contracts.auth import OrganisationRegistered
from devstack.stack import Stack

QUEUE = "cases.events"


def organisation_registered() -> tuple[uuid.UUID, Envelope]:
    """An ``auth.organisation.registered`` event: the cases consumer records the creditor."""
    organisation = uuid.uuid4()
    envelope = Envelope.wrap(
        OrganisationRegistered(
            organisation_id=organisation,
            kind="creditor",
            name="Replay Kreditor AS",
            organisation_number=f"{random.randrange(10**8, 10**9)}",
        )
    )
    return organisation, envelope


async def put_dead_letter(stack: Stack, envelope: Envelope) -> None:
    """Into ``cases.events.dlq`` with the headers the consumer sets when it gives up."""
    connection = await aio_pika.connect_robust(stack.config.amqp_url)
    try:
        async with connection.channel(publisher_confirms=True) as channel:
            await channel.default_exchange.publish(
                aio_pika.Message(
                    envelope.model_dump_json().encode(),
                    message_id=str(envelope.event_id),
                    type=envelope.event_type,
                    headers={"x-retry-attempt": 4, "x-last-error": "OperationalError: (db)"},
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=f"{stack.config.bus_namespace}{QUEUE}.dlq",
            )
    finally:
        await connection.close()


async def creditor_recorded(stack: Stack, organisation: uuid.UUID) -> bool:
    database = await asyncpg.connect(stack.database_url("cases", driver=""))
    try:
        row = await database.fetchval(
            "SELECT 1 FROM creditors WHERE organisation_id = $1", organisation
        )
    finally:
        await database.close()
    return row is not None
