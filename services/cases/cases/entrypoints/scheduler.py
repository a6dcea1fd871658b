"""Workflow scheduler process (``python -m cases.entrypoints.scheduler``).

Every ``CASES_SCHEDULER_PERIOD_SECONDS`` (and just after midnight, Oslo time, when the
business date turns) it advances the cases that are due: sends the inkassovarsel and the
betalingsoppfordring, hands cases to a case handler when a deadline has run out, and gives
limitation warnings. Beside it, every ``CASES_RESCAN_PERIOD_SECONDS``, it scans again the files
attached to notes that were held because ClamAV could not be reached. Several instances may
run: they share the due cases through ``FOR UPDATE SKIP LOCKED`` and never take a step twice.

``--once`` advances what is due now and exits, printing what it did as one JSON line (for
operations, and for the test that races two scheduler processes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
from dataclasses import asdict
from datetime import datetime, timedelta

from servicekit.metrics import worker_pass
from servicekit.service import run_worker

from cases.bootstrap import CasesService, bootstrap
from cases.service_layer import attachments, workflow
from cases.service_layer.clock import OSLO

log = logging.getLogger(__name__)


def seconds_to_next_business_date(now: datetime) -> float:
    """Seconds until just after the next midnight in Oslo."""
    local = now.astimezone(OSLO)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), OSLO)
    return max((midnight - local).total_seconds(), 0.0) + 1.0


async def run_once(service: CasesService) -> workflow.SchedulerRun:
    run = await workflow.run_due(
        service.unit_of_work, service.workflow(), batch_size=service.settings.scheduler_batch_size
    )
    if run.cases:
        log.info("scheduler pass", extra={"scheduler": asdict(run)})
    worker_pass("cases", "scheduler", run.cases)
    return run


async def rescan_held_files(service: CasesService, stop: asyncio.Event) -> None:
    """Scan again the attached files held while clamd was down, until ``stop`` is set.

    A file that cannot be scanned stays held (``pending``); none is ever released unscanned.
    """
    while not stop.is_set():
        try:
            done = await attachments.rescan_pending(
                service.unit_of_work,
                scanner=service.scanner,
                keyring=service.attachment_keyring,
                clock=service.clock,
                batch_size=service.settings.rescan_batch_size,
            )
        except Exception:  # a database hiccup: try again next round
            log.exception("rescan of held attachments failed")
        else:
            if done.released or done.quarantined or done.still_held:
                log.info("rescan of held attachments", extra={"rescan": asdict(done)})
            worker_pass("cases", "attachment-rescan", done.released + done.quarantined)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=service.settings.rescan_period_seconds)


async def run_scheduler(service: CasesService, stop: asyncio.Event) -> None:
    """Advance due cases (and rescan held attachments) until ``stop`` is set."""
    rescans = asyncio.create_task(rescan_held_files(service, stop))
    try:
        await _advance_due_cases(service, stop)
    finally:
        if not stop.is_set():  # the scheduler failed: do not wait for a stop that won't come
            rescans.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await rescans


async def _advance_due_cases(service: CasesService, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await run_once(service)
        pause = min(
            service.settings.scheduler_period_seconds,
            seconds_to_next_business_date(service.clock.now()),
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=pause)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cases.entrypoints.scheduler")
    parser.add_argument("--once", action="store_true", help="advance what is due, then exit")
    args = parser.parse_args(argv)
    service = bootstrap()
    if not args.once:
        run_worker(service, "scheduler", lambda stop: run_scheduler(service, stop))
        return

    async def once() -> workflow.SchedulerRun:
        service.setup_observability("scheduler")
        try:
            return await run_once(service)
        finally:
            await service.close()

    print(json.dumps(asdict(asyncio.run(once()))), flush=True)


if __name__ == "__main__":
    main()
