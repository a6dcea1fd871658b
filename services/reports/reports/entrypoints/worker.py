"""The reports worker (``python -m reports.entrypoints.worker``): queues the runs of due
schedules and writes report runs in the background (:mod:`reports.service_layer.report_runs`).
Several can run side by side: schedules and runs are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import asyncio

from servicekit.service import run_worker

from reports.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()

    async def work(stop: asyncio.Event) -> None:
        await service.report_worker().run(stop)

    run_worker(service, "reports-worker", work)


if __name__ == "__main__":
    main()
