"""Saved reports, their schedules and their runs in PostgreSQL.

Runs are leased like the cases service's import jobs: the oldest waiting run (or one
whose lease ran out: its worker died) is taken with ``FOR UPDATE SKIP LOCKED``, so
several workers never take the same run. Due schedules are claimed the same way and
advanced in the transaction that queues their run, so two workers make one run; a unique
index on ``(schedule_id, scheduled_for)`` would refuse a second one anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.orm import report_runs, report_schedules, saved_reports
from reports.domain.saved_reports import Definition, Frequency, next_run


@dataclass(frozen=True, slots=True)
class LeasedRun:
    run_id: uuid.UUID
    organisation_id: uuid.UUID
    definition: Definition
    attempts: int
    notify_email: str | None


def _scope(column: Any, tenant: uuid.UUID | None, creditor_id: uuid.UUID | None) -> list[Any]:
    conditions = []
    if tenant is not None:
        conditions.append(column == tenant)
    if creditor_id is not None:
        conditions.append(column == creditor_id)
    return conditions


class SavedReportStore:
    """One transaction's access to saved reports, schedules and runs."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- saved reports -----------------------------------------------------------------

    async def add(
        self,
        saved_report_id: uuid.UUID,
        organisation_id: uuid.UUID,
        name: str,
        d: Definition,
        created_by: uuid.UUID,
    ) -> None:
        await self.session.execute(
            insert(saved_reports).values(
                saved_report_id=saved_report_id,
                organisation_id=organisation_id,
                name=name,
                report=d.report,
                filters=d.filters,
                columns=list(d.columns),
                format=d.format,
                created_by=created_by,
            )
        )

    async def get(self, saved_report_id: uuid.UUID, tenant: uuid.UUID | None) -> Row[Any] | None:
        query = select(saved_reports).where(saved_reports.c.saved_report_id == saved_report_id)
        query = query.where(*_scope(saved_reports.c.organisation_id, tenant, None))
        return (await self.session.execute(query)).first()

    async def all(self, tenant: uuid.UUID | None, creditor_id: uuid.UUID | None) -> list[Row[Any]]:
        query = (
            select(saved_reports)
            .where(*_scope(saved_reports.c.organisation_id, tenant, creditor_id))
            .order_by(saved_reports.c.name, saved_reports.c.saved_report_id)
            .limit(500)
        )
        return list((await self.session.execute(query)).all())

    async def rename(self, saved_report_id: uuid.UUID, name: str) -> None:
        await self.session.execute(
            update(saved_reports)
            .where(saved_reports.c.saved_report_id == saved_report_id)
            .values(name=name, updated_at=func.now())
        )

    async def remove(self, saved_report_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(saved_reports).where(saved_reports.c.saved_report_id == saved_report_id)
        )

    # -- schedules ---------------------------------------------------------------------

    async def add_schedule(
        self,
        schedule_id: uuid.UUID,
        saved: Row[Any],
        frequency: Frequency,
        notify_email: str | None,
        created_by: uuid.UUID,
        now: datetime,
    ) -> None:
        await self.session.execute(
            insert(report_schedules).values(
                schedule_id=schedule_id,
                saved_report_id=saved.saved_report_id,
                organisation_id=saved.organisation_id,
                frequency=frequency,
                notify_email=notify_email,
                created_by=created_by,
                next_run_at=next_run(frequency, now),
            )
        )

    async def schedules(self, saved_report_ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
        if not saved_report_ids:
            return []
        query = (
            select(report_schedules)
            .where(report_schedules.c.saved_report_id.in_(saved_report_ids))
            .order_by(report_schedules.c.created_at, report_schedules.c.schedule_id)
        )
        return list((await self.session.execute(query)).all())

    async def remove_schedule(self, saved_report_id: uuid.UUID, schedule_id: uuid.UUID) -> bool:
        result = await self.session.execute(
            delete(report_schedules)
            .where(
                report_schedules.c.schedule_id == schedule_id,
                report_schedules.c.saved_report_id == saved_report_id,
            )
            .returning(report_schedules.c.schedule_id)
        )
        return result.first() is not None

    async def claim_due_schedule(self, now: datetime) -> uuid.UUID | None:
        """Queue the run of one due schedule and advance it; ``None`` when none is due.

        The schedule row stays locked until the caller commits: another worker skips it,
        and once this one commits, the schedule is no longer due."""
        s, r = report_schedules.c, saved_reports.c
        row = (
            await self.session.execute(
                select(s.schedule_id, s.frequency, s.next_run_at, s.notify_email, s.created_by)
                .add_columns(r.saved_report_id, r.organisation_id, r.report, r.filters)
                .add_columns(r.columns, r.format)
                .join(saved_reports, r.saved_report_id == s.saved_report_id)
                .where(s.next_run_at <= now)
                .order_by(s.next_run_at)
                .limit(1)
                .with_for_update(skip_locked=True, of=report_schedules)
            )
        ).first()
        if row is None:
            return None
        run_id = uuid.uuid4()
        await self.session.execute(
            insert(report_runs)
            .values(
                run_id=run_id,
                organisation_id=row.organisation_id,
                saved_report_id=row.saved_report_id,
                schedule_id=row.schedule_id,
                scheduled_for=row.next_run_at,
                report=row.report,
                filters=row.filters,
                columns=row.columns,
                format=row.format,
                notify_email=row.notify_email,
            )
            .on_conflict_do_nothing()
        )
        await self.session.execute(
            update(report_schedules)
            .where(s.schedule_id == row.schedule_id)
            .values(next_run_at=next_run(row.frequency, max(now, row.next_run_at)))
        )
        return run_id

    # -- runs --------------------------------------------------------------------------

    async def queue_run(
        self,
        run_id: uuid.UUID,
        organisation_id: uuid.UUID,
        d: Definition,
        *,
        saved_report_id: uuid.UUID | None,
        requested_by: uuid.UUID,
    ) -> None:
        await self.session.execute(
            insert(report_runs).values(
                run_id=run_id,
                organisation_id=organisation_id,
                saved_report_id=saved_report_id,
                requested_by=requested_by,
                report=d.report,
                filters=d.filters,
                columns=list(d.columns),
                format=d.format,
            )
        )

    async def run(self, run_id: uuid.UUID, tenant: uuid.UUID | None) -> Row[Any] | None:
        query = select(report_runs).where(report_runs.c.run_id == run_id)
        query = query.where(*_scope(report_runs.c.organisation_id, tenant, None))
        return (await self.session.execute(query)).first()

    async def runs(
        self,
        tenant: uuid.UUID | None,
        creditor_id: uuid.UUID | None,
        saved_report_id: uuid.UUID | None,
        limit: int,
    ) -> list[Row[Any]]:
        c = report_runs.c
        query = select(report_runs).where(*_scope(c.organisation_id, tenant, creditor_id))
        if saved_report_id is not None:
            query = query.where(c.saved_report_id == saved_report_id)
        query = query.order_by(c.created_at.desc(), c.run_id.desc()).limit(limit)
        return list((await self.session.execute(query)).all())

    async def lease_next(self, owner: str, seconds: float) -> LeasedRun | None:
        """The oldest waiting run (or abandoned: its lease ran out), now leased to ``owner``."""
        c = report_runs.c
        waiting = (
            select(c.run_id)
            .where(
                or_(
                    c.status == "queued",
                    and_(c.status == "running", c.lease_expires_at < func.now()),
                )
            )
            .order_by(c.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        row = (
            await self.session.execute(
                update(report_runs)
                .where(c.run_id == waiting)
                .values(
                    status="running",
                    lease_owner=owner,
                    lease_expires_at=func.now() + func.make_interval(0, 0, 0, 0, 0, 0, seconds),
                    attempts=c.attempts + 1,
                    started_at=func.coalesce(c.started_at, func.now()),
                    rows_written=0,
                )
                .returning(report_runs)
            )
        ).first()
        if row is None:
            return None
        return LeasedRun(
            run_id=row.run_id,
            organisation_id=row.organisation_id,
            definition=Definition(row.report, dict(row.filters), tuple(row.columns), row.format),
            attempts=row.attempts,
            notify_email=row.notify_email,
        )

    async def progress(self, run_id: uuid.UUID, owner: str, seconds: float, **values: Any) -> bool:
        """Record progress and extend the lease; ``False`` when the lease is not ``owner``'s."""
        c = report_runs.c
        result = await self.session.execute(
            update(report_runs)
            .where(c.run_id == run_id, c.lease_owner == owner, c.status == "running")
            .values(
                lease_expires_at=func.now() + func.make_interval(0, 0, 0, 0, 0, 0, seconds),
                **values,
            )
            .returning(c.run_id)
        )
        return result.first() is not None

    async def finish(
        self,
        run_id: uuid.UUID,
        owner: str,
        *,
        status: str,
        document_id: uuid.UUID | None = None,
        error: str | None = None,
    ) -> bool:
        c = report_runs.c
        result = await self.session.execute(
            update(report_runs)
            .where(c.run_id == run_id, c.lease_owner == owner, c.status == "running")
            .values(
                status=status,
                document_id=document_id,
                error=error,
                finished_at=func.now(),
                lease_owner=None,
                lease_expires_at=None,
            )
            .returning(c.run_id)
        )
        return result.first() is not None

    async def notified(self, run_id: uuid.UUID) -> None:
        await self.session.execute(
            update(report_runs)
            .where(report_runs.c.run_id == run_id)
            .values(notified_at=text("now()"))
        )
