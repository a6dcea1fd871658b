"""The ERP connector process (``python -m integrations.entrypoints.connector``).

Takes the connection that is due longest (a lease, so several connectors share the work),
synchronises it, and looks again; when none is due it waits ``connector_poll_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from servicekit.service import run_worker

from integrations.bootstrap import IntegrationsService, bootstrap
from integrations.service_layer.sync import sync_due

log = logging.getLogger(__name__)


async def run_connector(service: IntegrationsService, stop: asyncio.Event) -> None:
    ctx = service.sync_context()
    while not stop.is_set():
        outcome = await sync_due(ctx)
        if outcome is not None:
            log.info(
                "sync %s: %d invoices read, %d handed over, %d changed, %d payments noticed",
                outcome.outcome,
                outcome.invoices_read,
                outcome.handed_over,
                outcome.changed,
                outcome.payments_noticed,
            )
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=service.settings.connector_poll_seconds)


def main() -> None:
    service = bootstrap()
    run_worker(service, "connector", lambda stop: run_connector(service, stop))


if __name__ == "__main__":
    main()
