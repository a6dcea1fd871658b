"""The outbox relay of the credit service, lingering a moment after each wake-up.

The credit outbox carries one charge per bought report, each committed in a statement of
its own, and every commit wakes the relay (``NOTIFY``): it claimed, published and marked
one event per batch, ~2.5 ms of CPU each. Waiting ``linger`` seconds after a wake-up
before claiming lets the charges committed meanwhile share the batch's transaction and
confirms (ADR 0067; ``bench/README.md``, credit_orders). A charge reaches the broker at
most ``linger`` later; nothing else changes (claim, confirms, marking sent).
"""

from __future__ import annotations

import asyncio

from aio_pika.abc import AbstractRobustConnection
from servicekit.bus.topology import Topology
from servicekit.relay import OutboxRelay
from sqlalchemy.ext.asyncio import AsyncEngine


class LingeringRelay(OutboxRelay):
    """:class:`servicekit.relay.OutboxRelay`, claiming ``linger`` seconds after a wake-up."""

    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        connection: AbstractRobustConnection,
        topology: Topology,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        linger: float = 0.0,
    ) -> None:
        super().__init__(
            service=service,
            engine=engine,
            connection=connection,
            topology=topology,
            batch_size=batch_size,
            poll_seconds=poll_seconds,
        )
        self.linger = linger

    async def relay_once(self) -> int:
        if self.linger > 0:
            await asyncio.sleep(self.linger)
        return await super().relay_once()
