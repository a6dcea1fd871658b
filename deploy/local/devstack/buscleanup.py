"""Delete a test stack's exchanges and queues: ``python -m devstack.buscleanup cases …``.

Runs in its own process with the stack's environment, so each service's ``bootstrap``
builds its topology (queue names, retry and dead-letter queues) exactly as the running
processes did, under the stack's bus namespace.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any


async def _delete(services: list[str]) -> None:
    import aio_pika

    topology_mod: Any = importlib.import_module("servicekit.bus.topology")
    topologies: list[Any] = []
    amqp_url = ""
    for service in services:
        try:
            built: Any = importlib.import_module(f"{service}.bootstrap").bootstrap()
        except ImportError as exc:
            print(f"{service}: skipped ({exc})", file=sys.stderr)
            continue
        topologies.append(built.topology)
        amqp_url = amqp_url or built.settings.amqp_url
        await built.engine.dispose()
    if not topologies:
        return
    connection: Any = await aio_pika.connect(amqp_url)
    async with connection:
        for topology in topologies:
            if not topology.namespace:
                raise SystemExit("refusing to delete the unnamespaced topology")
            channel = await connection.channel()
            await topology_mod.delete(channel, topology)
            await channel.close()


def main(argv: list[str] | None = None) -> None:
    services = list(sys.argv[1:] if argv is None else argv)
    asyncio.run(_delete(services))


if __name__ == "__main__":
    main()
