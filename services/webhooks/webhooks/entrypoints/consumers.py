"""Event handlers of the webhooks service: the owning services' events → webhook events.

One batch handler for every source type: the events of a batch are translated into
webhook events and fanned out to the subscribed endpoints in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts import Envelope
from servicekit.bus.consumer import BatchHandler
from sqlalchemy.ext.asyncio import AsyncSession

from webhooks.adapters import store
from webhooks.domain.catalogue import translate


async def forward(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """Store the webhook events of ``envelopes`` and a delivery per subscribed endpoint."""
    await store.fan_out(session, [event for e in envelopes for event in translate(e)])


FORWARD = BatchHandler(forward)
