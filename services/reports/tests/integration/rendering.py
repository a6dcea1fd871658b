"""The renderer in a test: run in-process beside the consumers, and waited for.

The consumer records document jobs; the documents appear once the renderer has issued
them (ADR 0066), so a test that checks a document runs :func:`running_reports` (consumers
and renderer) and waits with :func:`rendered` before it looks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from reports.adapters.orm import document_jobs
from reports.bootstrap import ReportsService
from reports.service_layer.renderer import RenderWorker
from servicekit.testing.bus import ConsumerRun, running_consumers
from servicekit.testing.wait import wait_for
from sqlalchemy import func, select


@asynccontextmanager
async def running_renderer(
    service: ReportsService, worker: RenderWorker | None = None
) -> AsyncIterator[asyncio.Task[None]]:
    """A renderer (``service.render_worker()`` unless given) in the background."""
    stop = asyncio.Event()
    worker = worker or service.render_worker()
    task = asyncio.create_task(worker.run(stop), name="reports-renderer")
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=60)


@asynccontextmanager
async def running_reports(service: ReportsService) -> AsyncIterator[ConsumerRun]:
    """The consumers and a renderer, as the stack runs them."""
    async with running_consumers(service) as run, running_renderer(service):
        yield run


async def jobs_waiting(service: ReportsService) -> int:
    async with service.session_factory() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(document_jobs)
            .where(document_jobs.c.status.in_(("queued", "rendering")))
        )
    return int(count or 0)


async def rendered(service: ReportsService, *, seconds: float = 120.0) -> None:
    """Wait until every document job recorded so far has been rendered (or given up)."""

    async def none_waiting() -> bool:
        return await jobs_waiting(service) == 0

    await wait_for(none_waiting, what="the document jobs rendered", seconds=seconds)
