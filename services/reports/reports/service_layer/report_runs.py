"""Report runs in the background: the ``reports-worker`` process's work.

Each turn the worker first queues the run of one due schedule (claimed with ``FOR UPDATE
SKIP LOCKED`` and advanced in the same transaction, so several workers make one run per
due time), then leases the oldest waiting run and writes it: the report's query streamed
from a server-side cursor in partitions, each partition written to a temporary file in a
worker thread, the rows written so far recorded as progress (which also extends the
lease; a worker that lost its lease writes nothing more). The file becomes a document of
kind ``report_run`` (immutable, SHA-256) in the transaction that marks the run done.
A scheduled run's «ready» mail goes out after that commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from servicekit.metrics import worker_pass
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports.adapters.document_store import DocumentStore, NewDocument
from reports.adapters.report_queries import ReportParameters, query_for
from reports.adapters.run_output import open_output
from reports.adapters.run_store import LeasedRun, SavedReportStore

log = logging.getLogger(__name__)
OSLO = ZoneInfo("Europe/Oslo")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReadyNotifier(Protocol):
    async def report_ready(self, to: str) -> None: ...


class LeaseLost(Exception):
    """Another worker holds the run now: stop writing."""


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    lease_seconds: float = 60.0
    poll_seconds: float = 2.0
    max_attempts: int = 3
    chunk_rows: int = 2000


def _worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def parameters(run: LeasedRun) -> ReportParameters:
    f = run.definition.filters
    return ReportParameters(
        tenant=run.organisation_id,
        period_from=date.fromisoformat(f["period_from"]) if "period_from" in f else None,
        period_to=date.fromisoformat(f["period_to"]) if "period_to" in f else None,
        status=f.get("status"),
        debtor_kind=f.get("debtor_kind"),
        batch_id=uuid.UUID(f["batch_id"]) if "batch_id" in f else None,
    )


class ReportWorker:
    """One worker: queues due schedules' runs and writes runs one at a time."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        notifier: ReadyNotifier,
        config: WorkerConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.session_factory = session_factory
        self.notifier = notifier
        self.config = config
        self.clock = clock
        self.owner = _worker_name()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set."""
        log.info("reports worker %s started", self.owner)
        while not stop.is_set():
            worked = await self.turn()
            worker_pass("reports", "worker", 1 if worked else 0)
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)

    async def turn(self) -> bool:
        """Queue a due schedule's run and write one run; ``False`` when there was nothing."""
        scheduled = await self.queue_due_schedule()
        written = await self.write_next_run()
        return scheduled is not None or written

    async def queue_due_schedule(self) -> uuid.UUID | None:
        async with self.session_factory() as session, session.begin():
            run_id = await SavedReportStore(session).claim_due_schedule(self.clock())
        if run_id is not None:
            log.info("scheduled report run %s queued", run_id)
        return run_id

    async def write_next_run(self) -> bool:
        async with self.session_factory() as session, session.begin():
            run = await SavedReportStore(session).lease_next(self.owner, self.config.lease_seconds)
        if run is None:
            return False
        if run.attempts > self.config.max_attempts:
            await self._finish(run, status="failed", error="too-many-attempts")
            return True
        folder = Path(tempfile.mkdtemp(prefix="reports-run-"))
        try:
            document_id = await self._write(run, folder)
        except LeaseLost:
            log.warning("report run %s: lease lost to another worker", run.run_id)
            return True
        except Exception:
            log.exception("report run %s failed; it will be retried", run.run_id)
            await self._give_back(run)
            return True
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)
        if run.notify_email and document_id is not None:
            await self._notify(run)
        return True

    async def _write(self, run: LeasedRun, folder: Path) -> uuid.UUID | None:
        d = run.definition
        selected = d.selected()
        columns = [c for _, c in selected]
        today = self.clock().astimezone(OSLO).date()
        query = query_for(d.report, parameters(run), today)
        async with self.session_factory() as session:
            total = (
                await session.execute(select(func.count()).select_from(query.subquery()))
            ).scalar_one()
        await self._progress(run, rows_total=int(total))
        path = folder / f"rapport.{d.format}"
        output = await asyncio.to_thread(open_output, d.format, path, columns)
        written = 0
        async with self.session_factory() as session:
            result = await session.stream(query.execution_options(yield_per=self.config.chunk_rows))
            async for partition in result.partitions(self.config.chunk_rows):
                rows = [[row[i] for i, _ in selected] for row in partition]
                await asyncio.to_thread(output.write, rows)
                written += len(rows)
                await self._progress(run, rows_written=written)
        await asyncio.to_thread(output.close)
        content = await asyncio.to_thread(path.read_bytes)
        return await self._store(run, content, written, today)

    async def _store(self, run: LeasedRun, content: bytes, written: int, today: date) -> uuid.UUID:
        d = run.definition
        document_id = uuid.uuid4()
        async with self.session_factory() as session, session.begin():
            store = SavedReportStore(session)
            if not await store.progress(
                run.run_id, self.owner, self.config.lease_seconds, rows_written=written
            ):
                raise LeaseLost
            await DocumentStore(session).add(
                NewDocument(
                    document_id=document_id,
                    organisation_id=run.organisation_id,
                    kind="report_run",
                    source_id=run.run_id,
                    number=f"R-{run.run_id.hex}",
                    issued_at=self.clock(),
                    period_start=_date(d.filters.get("period_from")),
                    period_end=_date(d.filters.get("period_to")),
                    media_type=MEDIA[d.format],
                    file_name=f"{d.report}-{today.isoformat()}-{run.run_id.hex[:8]}.{d.format}",
                    sha256=hashlib.sha256(content).hexdigest(),
                    content=content,
                )
            )
            await store.finish(run.run_id, self.owner, status="done", document_id=document_id)
        log.info("report run %s done: %d rows", run.run_id, written)
        return document_id

    async def _progress(self, run: LeasedRun, **values: Any) -> None:
        async with self.session_factory() as session, session.begin():
            if not await SavedReportStore(session).progress(
                run.run_id, self.owner, self.config.lease_seconds, **values
            ):
                raise LeaseLost

    async def _finish(self, run: LeasedRun, *, status: str, error: str | None) -> None:
        async with self.session_factory() as session, session.begin():
            await SavedReportStore(session).finish(
                run.run_id, self.owner, status=status, error=error
            )

    async def _give_back(self, run: LeasedRun) -> None:
        """Let the run wait again (its next lease retries it), or fail it at the limit."""
        with contextlib.suppress(Exception):
            if run.attempts >= self.config.max_attempts:
                await self._finish(run, status="failed", error="run-failed")
                return
            async with self.session_factory() as session, session.begin():
                await SavedReportStore(session).progress(
                    run.run_id, self.owner, 0, status="queued", lease_owner=None
                )

    async def _notify(self, run: LeasedRun) -> None:
        if run.notify_email is None:
            return
        try:
            await self.notifier.report_ready(run.notify_email)
        except Exception:
            log.warning("report run %s: the «ready» mail was not sent", run.run_id)
            return
        async with self.session_factory() as session, session.begin():
            await SavedReportStore(session).notified(run.run_id)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
