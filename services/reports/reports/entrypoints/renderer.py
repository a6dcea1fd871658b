"""The renderer process of the reports service (``python -m reports.entrypoints.renderer``):
renders the documents the consumer recorded (order confirmations, settlement statements,
letters to debtors) out of the consumer's transaction (ADR 0066). Several can run side by
side: jobs are claimed with ``FOR UPDATE SKIP LOCKED``."""

from __future__ import annotations

import asyncio

from servicekit.service import run_worker

from reports.bootstrap import bootstrap


def main() -> None:
    service = bootstrap()

    async def work(stop: asyncio.Event) -> None:
        await service.render_worker().run(stop)

    run_worker(service, "renderer", work)


if __name__ == "__main__":
    main()
