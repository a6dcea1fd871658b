"""Credit administration from the command line (``python -m credit.entrypoints.cli``).

- ``reconcile``: settle every order in doubt (``unknown``, or ``pending`` longer than
  ``CREDIT_RECONCILE_AFTER_SECONDS``) by its reference at the bureau: found, completed and
  charged; not found, failed; the bureau cannot say, left for the next run. Never orders
  again. Run it every few minutes (cron, a Kubernetes CronJob).
- ``redact``: remove the bureau's raw answer of every report past
  ``CREDIT_RAW_RETENTION_DAYS`` and cut a person's report to its summary. Run it daily.

Both print what they did as JSON and are safe to run concurrently with the API.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from credit.bootstrap import bootstrap
from credit.service_layer.ordering import reconcile_due
from credit.service_layer.retention import redact_due


async def _run(command: str) -> dict[str, object]:
    service = bootstrap()
    try:
        if command == "reconcile":
            return {"reconciled": await reconcile_due(service.ordering())}
        return {"redacted": await redact_due(service.unit_of_work(), datetime.now(UTC))}
    finally:
        await service.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credit.entrypoints.cli")
    parser.add_argument("command", choices=("reconcile", "redact"))
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(_run(args.command))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
