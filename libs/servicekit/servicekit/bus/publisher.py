"""Publishing events: persistent, identified, with trace context in the headers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange
from aiormq.abc import AbstractChannel

CONTENT_TYPE = "application/json"


def event_message(
    *,
    body: bytes,
    event_id: str | None,
    event_type: str,
    headers: Mapping[str, Any] | None = None,
    timestamp: datetime | None = None,
    content_type: str = CONTENT_TYPE,
) -> aio_pika.Message:
    """An AMQP message for an event: ``message_id``/``type`` mirror the envelope.

    A packed message (``content_type`` :data:`~servicekit.bus.framing.PACK_CONTENT_TYPE`,
    ADR 0070) has the type of its events and no ``message_id``: each envelope has its own.
    """
    return aio_pika.Message(
        body,
        content_type=content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=event_id,
        type=event_type,
        headers=dict(headers or {}),
        timestamp=timestamp,
    )


async def publish(exchange: AbstractExchange, message: aio_pika.Message, routing_key: str) -> None:
    """Publish and wait for the broker's confirm (the channel has confirms on)."""
    await exchange.publish(message, routing_key=routing_key, timeout=30)


async def publish_on(
    channel: AbstractChannel, exchange: str, message: aio_pika.Message, routing_key: str
) -> None:
    """:func:`publish` on the underlying channel, looked up once by the caller for many
    messages (the relay's batch) instead of once per message as ``Exchange.publish`` does;
    the same frames (``mandatory``, 30 s for the confirm), a nack raises."""
    await channel.basic_publish(
        message.body,
        exchange=exchange,
        routing_key=routing_key,
        properties=message.properties,
        mandatory=True,
        timeout=30,
    )
