"""The renderer (the ``reports-renderer`` process): document jobs rendered out of the
consumer's transaction (ADR 0066).

Each turn claims the oldest due job (with up to ``letters_per_job - 1`` more letters when
it is a letter: letters render as a batch), in a short transaction that counts the attempt
and leases it. Then, in a second transaction that locks the jobs, it issues their documents
(rendered in a worker thread, stored with their outbox events and the letters' dispatches)
and deletes the jobs, one commit. A failed render is given back with back-off and, after
``max_attempts`` (at once when its data refuses it: a letter lacking what the law requires,
a statement that does not add up), marked ``failed`` exactly once: a stable code, the job's
and source's ids, nothing of its content in the log. A batch of letters that fails is
rendered again one letter at a time, so one bad letter fails alone. Several renderers run
side by side: jobs are claimed with ``FOR UPDATE SKIP LOCKED`` and held by the row lock of
the transaction that issues them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from contracts.cases import DebtorLetterRequested
from prometheus_client import Counter, Histogram
from servicekit.metrics import worker_pass
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports.adapters.document_jobs import (
    DEBTOR_LETTER,
    ORDER_CONFIRMATION,
    SETTLEMENT_STATEMENT,
    ClaimedJob,
    DocumentJobs,
)
from reports.adapters.document_store import DocumentStore
from reports.adapters.projections import ProjectionStore
from reports.domain.letters import LetterIncomplete
from reports.domain.statement import StatementMismatch
from reports.service_layer.issuing import (
    Issuer,
    issue_order_confirmation,
    issue_settlement_statement,
)
from reports.service_layer.letters import LetterToRender, render_debtor_letters

log = logging.getLogger(__name__)

REFUSED_BY_ITS_DATA: tuple[type[Exception], ...] = (LetterIncomplete, StatementMismatch)
"""Failures that the same data gives again: the job fails at the first attempt."""

JOBS_FAILED = Counter(
    "reports_document_jobs_failed_total",
    "Document jobs given up (failed after their attempts, or refused by their data)",
    ["kind"],
)
RENDER_SECONDS = Histogram(
    "reports_document_render_seconds",
    "Seconds a document job took to render and store (a batch of letters counts once)",
    ["kind"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)


@dataclass(frozen=True, slots=True)
class RendererConfig:
    lease_seconds: float = 60.0
    """How long a claimed job is the claimer's before it starts rendering (then the row
    lock of its transaction holds it); a renderer killed in between loses it after this."""
    poll_seconds: float = 0.5
    max_attempts: int = 5
    letters_per_job: int = 20
    retry_seconds: tuple[float, ...] = (5.0, 30.0, 120.0, 600.0)
    """The wait after the 1st, 2nd, … failed attempt (the last one repeats)."""


def _owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def retry_after(attempts: int, config: RendererConfig) -> timedelta:
    delays = config.retry_seconds
    return timedelta(seconds=delays[min(max(attempts, 1), len(delays)) - 1])


class RenderWorker:
    """One renderer: claims document jobs and issues their documents."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        issuer: Issuer,
        config: RendererConfig,
    ) -> None:
        self.session_factory = session_factory
        self.issuer = issuer
        self.config = config
        self.owner = _owner()

    async def run(self, stop: asyncio.Event) -> None:
        """Render until ``stop`` is set (a render under way is finished first)."""
        log.info("renderer %s started", self.owner)
        while not stop.is_set():
            try:
                taken = await self.turn()
            except Exception:  # the database is down: wait, never crash-loop
                log.exception("rendering documents failed; retrying")
                taken = 0
            worker_pass("reports", "renderer", taken)
            if not taken:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)

    async def turn(self) -> int:
        """Claim due jobs and render them; how many were claimed (0: none was due)."""
        claimed = await self._claim()
        letters = [job for job in claimed if job.kind == DEBTOR_LETTER]
        for job in claimed:
            if job.kind != DEBTOR_LETTER:
                await self._one(job)
        if len(letters) > 1:
            try:
                await self._render(letters)
            except Exception as exc:
                log.warning(
                    "a batch of %d letters failed (%s); rendering them one by one",
                    len(letters),
                    type(exc).__name__,
                )
            else:
                letters = []
        for job in letters:
            await self._one(job)
        return len(claimed)

    async def _claim(self) -> list[ClaimedJob]:
        c = self.config
        async with self.session_factory() as session, session.begin():
            jobs = DocumentJobs(session)
            claimed = await jobs.claim(self.owner, lease_seconds=c.lease_seconds, limit=1)
            if claimed and claimed[0].kind == DEBTOR_LETTER and c.letters_per_job > 1:
                claimed += await jobs.claim(
                    self.owner,
                    lease_seconds=c.lease_seconds,
                    limit=c.letters_per_job - 1,
                    kind=DEBTOR_LETTER,
                )
        return claimed

    async def _one(self, job: ClaimedJob) -> None:
        try:
            await self._render([job])
        except Exception as exc:
            await self._failed(job, exc)

    async def _render(self, jobs: Sequence[ClaimedJob]) -> None:
        """Issue the jobs' documents and delete the jobs, in one transaction that holds the
        jobs' rows (jobs whose lease another renderer took since are left to it)."""
        started = time.monotonic()
        async with self.session_factory() as session, session.begin():
            store = DocumentJobs(session)
            held = set(await store.hold([job.job_id for job in jobs], self.owner))
            mine = [job for job in jobs if job.job_id in held]
            if not mine:
                return
            await self._issue(session, mine)
            await store.done([job.job_id for job in mine])
        RENDER_SECONDS.labels(mine[0].kind).observe(time.monotonic() - started)

    async def _issue(self, session: AsyncSession, jobs: Sequence[ClaimedJob]) -> None:
        projections, documents = ProjectionStore(session), DocumentStore(session)
        letters: list[LetterToRender] = []
        for job in jobs:
            if job.kind == ORDER_CONFIRMATION:
                await issue_order_confirmation(
                    projections, documents, self.issuer, job.source_id, document_id=job.document_id
                )
            elif job.kind == SETTLEMENT_STATEMENT:
                await issue_settlement_statement(
                    projections, documents, self.issuer, job.source_id, document_id=job.document_id
                )
            elif job.kind == DEBTOR_LETTER:
                event = DebtorLetterRequested.model_validate(job.request)
                letters.append(LetterToRender(event, job.document_id))
            else:
                raise ValueError(f"no renderer for {job.kind}")
        if letters:
            await render_debtor_letters(session, self.issuer, letters)

    async def _failed(self, job: ClaimedJob, exc: Exception) -> None:
        """Give the job back with back-off, or fail it (once) at the limit or when its own
        data refused it. Logged by ids and the error's class only: no personal data."""
        code = type(exc).__name__
        refused = isinstance(exc, REFUSED_BY_ITS_DATA)
        async with self.session_factory() as session, session.begin():
            jobs = DocumentJobs(session)
            if refused or job.attempts >= self.config.max_attempts:
                if await jobs.fail(job.job_id, self.owner, error=code):
                    JOBS_FAILED.labels(job.kind).inc()
                    log.error(
                        "document job %s (%s of %s) failed after %d attempt(s): %s",
                        job.job_id,
                        job.kind,
                        job.source_id,
                        job.attempts,
                        code,
                    )
                return
            wait = retry_after(job.attempts, self.config)
            if await jobs.retry(job.job_id, self.owner, after=wait, error=code):
                log.warning(
                    "document job %s (%s of %s) attempt %d failed (%s); again in %s",
                    job.job_id,
                    job.kind,
                    job.source_id,
                    job.attempts,
                    code,
                    wait,
                )
