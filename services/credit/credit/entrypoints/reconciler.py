"""The credit reconciler process (``python -m credit.entrypoints.reconciler``).

Every ``CREDIT_RECONCILE_EVERY_SECONDS`` it settles the orders in doubt (``unknown``, or
``pending`` for longer than ``CREDIT_RECONCILE_AFTER_SECONDS``) by their reference at the
bureau, and redacts the reports whose retention ran out. Both steps are safe with several
replicas (an order is settled under a row lock and only from the state it was read in;
redaction takes rows with ``SKIP LOCKED``). ``--once`` does one round and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime

from servicekit.metrics import worker_pass
from servicekit.service import run_worker

from credit.bootstrap import CreditService, bootstrap
from credit.service_layer.ordering import reconcile_due
from credit.service_layer.retention import redact_due

log = logging.getLogger(__name__)


async def one_round(service: CreditService) -> dict[str, object]:
    reconciled = await reconcile_due(service.ordering())
    redacted = await redact_due(service.unit_of_work(), datetime.now(UTC))
    if reconciled or redacted:
        log.info("credit reconciler round", extra={"reconciled": reconciled, "redacted": redacted})
    worker_pass("credit", "reconciler", sum(reconciled.values()) + redacted)
    return {"reconciled": reconciled, "redacted": redacted}


async def run_reconciler(service: CreditService, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await one_round(service)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=service.settings.reconcile_every_seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m credit.entrypoints.reconciler")
    parser.add_argument("--once", action="store_true", help="one round, then exit")
    args = parser.parse_args(argv)
    service = bootstrap()
    if not args.once:
        run_worker(service, "reconciler", lambda stop: run_reconciler(service, stop))
        return

    async def once() -> dict[str, object]:
        try:
            return await one_round(service)
        finally:
            await service.close()

    print(json.dumps(asyncio.run(once())), flush=True)


if __name__ == "__main__":
    main()
