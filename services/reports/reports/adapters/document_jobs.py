"""Document jobs: what the renderer has to render, in PostgreSQL (ADR 0066).

The consumer records a job in its own transaction (with the inbox row), once per
``(kind, source)``: a redelivered or replayed event finds it and records nothing. The
renderer claims a job in a short transaction of its own (``FOR UPDATE SKIP LOCKED``: the
attempt is counted and a lease taken, committed before it renders), then renders and
issues the document in a second transaction that holds the job's row lock until the
document commits (and the job is deleted with it), so no other renderer takes it while it
renders, however long that takes; the lease only covers the moment between the two. A
renderer killed mid-job leaves the job ``rendering`` with its lease; once the lease has run
out, another renderer takes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.orm import document_jobs

ORDER_CONFIRMATION = "order_confirmation"
SETTLEMENT_STATEMENT = "settlement_statement"
DEBTOR_LETTER = "debtor_letter"


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    job_id: uuid.UUID
    kind: str
    source_id: uuid.UUID
    document_id: uuid.UUID
    request: dict[str, Any] | None
    attempts: int


def _seconds(value: float) -> Any:
    return func.make_interval(0, 0, 0, 0, 0, 0, value)


class DocumentJobs:
    """One transaction's access to the document jobs."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def request(
        self, kind: str, source_id: uuid.UUID, *, request: dict[str, Any] | None = None
    ) -> None:
        """Record the job that renders the ``kind`` document of ``source_id`` (once: asked
        again while it waits, the job recorded first stands). Its document's id is chosen
        now, so every attempt issues the same one."""
        c = document_jobs.c
        await self.session.execute(
            insert(document_jobs)
            .values(
                job_id=uuid.uuid4(),
                kind=kind,
                source_id=source_id,
                document_id=uuid.uuid4(),
                request=request,
            )
            .on_conflict_do_nothing(index_elements=[c.kind, c.source_id])
        )

    async def claim(
        self, owner: str, *, lease_seconds: float, limit: int, kind: str | None = None
    ) -> list[ClaimedJob]:
        """Up to ``limit`` due jobs (of ``kind``), oldest first (one whose renderer died
        once its lease ran out), their attempt counted and leased to ``owner``."""
        c = document_jobs.c
        due = (
            select(c.job_id)
            .where(
                or_(
                    and_(c.status == "queued", c.run_after <= func.now()),
                    and_(c.status == "rendering", c.lease_expires_at < func.now()),
                ),
                *([c.kind == kind] if kind is not None else []),
            )
            .order_by(c.run_after, c.job_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await self.session.execute(
            update(document_jobs)
            .where(c.job_id.in_(due.scalar_subquery()))
            .values(
                status="rendering",
                attempts=c.attempts + 1,
                lease_owner=owner,
                lease_expires_at=func.now() + _seconds(lease_seconds),
            )
            .returning(c.job_id, c.kind, c.source_id, c.document_id, c.request, c.attempts)
        )
        jobs = [
            ClaimedJob(r.job_id, r.kind, r.source_id, r.document_id, r.request, r.attempts)
            for r in rows
        ]
        return sorted(jobs, key=lambda j: j.job_id)

    async def hold(self, job_ids: Sequence[uuid.UUID], owner: str) -> list[uuid.UUID]:
        """Lock the jobs still leased to ``owner`` until the commit (the render's
        transaction); the ones it holds (a lease lost to another renderer is not)."""
        c = document_jobs.c
        rows = await self.session.execute(
            select(c.job_id)
            .where(c.job_id.in_(list(job_ids)), c.lease_owner == owner, c.status == "rendering")
            .order_by(c.job_id)
            .with_for_update()
        )
        return list(rows.scalars())

    async def done(self, job_ids: Sequence[uuid.UUID]) -> None:
        """Rendered: the job goes (the document is the record now; with it the letter's
        request, its name and address, ADR 0033)."""
        if job_ids:
            await self.session.execute(
                delete(document_jobs).where(document_jobs.c.job_id.in_(list(job_ids)))
            )

    async def retry(self, job_id: uuid.UUID, owner: str, *, after: timedelta, error: str) -> bool:
        """Back to the queue, due again ``after`` from now."""
        c = document_jobs.c
        result = await self.session.execute(
            update(document_jobs)
            .where(c.job_id == job_id, c.lease_owner == owner, c.status == "rendering")
            .values(
                status="queued",
                run_after=func.now() + _seconds(after.total_seconds()),
                lease_owner=None,
                lease_expires_at=None,
                error=error[:60],
            )
            .returning(c.job_id)
        )
        return result.first() is not None

    async def fail(self, job_id: uuid.UUID, owner: str, *, error: str) -> bool:
        """Given up: ``failed`` with a stable code, kept (with its request) for ops. ``True``
        only for the one call that failed it."""
        c = document_jobs.c
        result = await self.session.execute(
            update(document_jobs)
            .where(c.job_id == job_id, c.lease_owner == owner, c.status == "rendering")
            .values(
                status="failed",
                finished_at=func.now(),
                lease_owner=None,
                lease_expires_at=None,
                error=error[:60],
            )
            .returning(c.job_id)
        )
        return result.first() is not None

    async def of_source(self, kind: str, source_id: uuid.UUID) -> Row[Any] | None:
        return (
            await self.session.execute(
                select(document_jobs).where(
                    document_jobs.c.kind == kind, document_jobs.c.source_id == source_id
                )
            )
        ).first()

    async def backlog(self) -> tuple[int, float, int]:
        """``(waiting, seconds the oldest has waited, failed)`` for the metrics (done jobs
        are deleted, so the table holds only these)."""
        c = document_jobs.c
        waiting = c.status.in_(("queued", "rendering"))
        row = (
            await self.session.execute(
                select(
                    func.count().filter(waiting),
                    func.extract("epoch", func.now() - func.min(c.created_at).filter(waiting)),
                    func.count().filter(c.status == "failed"),
                )
            )
        ).one()
        return int(row[0]), float(row[1] or 0.0), int(row[2])
