"""A relay process that dies (like ``kill -9``) after the broker confirms, before marking."""

from __future__ import annotations

import asyncio
import os

from servicekit.bus.connection import connect
from servicekit.bus.topology import Topology
from servicekit.db import make_engine
from servicekit.relay import OutboxRelay
from servicekit.testing import infra
from sqlalchemy.ext.asyncio import AsyncConnection


class DyingRelay(OutboxRelay):
    async def _mark_sent(self, conn: AsyncConnection, ids: list[int]) -> None:
        os._exit(137)


async def main() -> None:
    engine = make_engine(os.environ["KIT_DATABASE_URL"])
    connection = await connect(infra.AMQP_URL, name="dying-relay")
    relay = DyingRelay(
        service=os.environ["KIT_SERVICE"],
        engine=engine,
        connection=connection,
        topology=Topology(os.environ["KIT_NAMESPACE"]),
    )
    await relay.relay_once()


asyncio.run(main())
