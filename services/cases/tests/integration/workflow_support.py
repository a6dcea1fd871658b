"""Helpers of the workflow tests: a fixed clock, cases registered on a chosen day, and
reading back what the workflow wrote (case row, timeline, events)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

from cases.adapters.orm import cases, claims, objections, outbox, payment_plans, timeline
from cases.bootstrap import CasesService
from cases.service_layer import registration as reg
from cases.service_layer.clock import OSLO
from sqlalchemy import select

from ..conftest import make_registration
from .conftest import add_creditor


@dataclass
class FixedClock:
    """The business date the test says it is (noon in Oslo)."""

    day: date

    def now(self) -> datetime:
        return datetime.combine(self.day, time(12), OSLO).astimezone(UTC)

    def today(self) -> date:
        return self.day


async def register_cases(
    service: CasesService,
    creditor_id: uuid.UUID | None = None,
    *,
    count: int = 1,
    business: bool = False,
    due_date: date | None = None,
    claim_type: str = "ordinary",
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """``count`` cases registered on the service clock's day; the creditor and case ids."""
    creditor_id = creditor_id or await add_creditor(service)
    ctx = service.registration()
    today = service.clock.today()
    items = []
    for i in range(count):
        registration = make_registration(business=business, today=today)
        if due_date is not None:
            claim = replace(
                registration.claims[0],
                invoice_date=due_date,
                due_date=due_date,
                claim_type=claim_type,
            )
            registration = replace(registration, claims=(claim,))
        items.append((i, registration))
    who = reg.Submitter(creditor_id=creditor_id, channel="api", user_id=uuid.uuid4())
    async with service.unit_of_work() as uow:
        batch = await reg.open_batch(uow, ctx, who)
        outcome = await reg.register_chunk(uow, ctx, batch, items)
        await reg.complete_batch(uow, ctx, batch.batch_id, rejected=len(outcome.rejected))
        await uow.commit()
    assert not outcome.rejected, outcome.rejected
    return creditor_id, [r.case_id for r in outcome.registered]


async def case(service: CasesService, case_id: uuid.UUID) -> dict[str, Any]:
    async with service.session_factory() as session:
        row = (await session.execute(select(cases).where(cases.c.id == case_id))).mappings().one()
    return dict(row)


async def timeline_of(service: CasesService, case_id: uuid.UUID) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        rows = await session.execute(
            select(timeline).where(timeline.c.case_id == case_id).order_by(timeline.c.id)
        )
        return [dict(r) for r in rows.mappings()]


async def events_of(
    service: CasesService, case_id: uuid.UUID, event_type: str | None = None
) -> list[dict[str, Any]]:
    """The ``data`` of the outbox events about one case (oldest first)."""
    async with service.session_factory() as session:
        query = select(outbox.c.event_type, outbox.c.body).where(
            outbox.c.body.contains(str(case_id))
        )
        if event_type:
            query = query.where(outbox.c.event_type == event_type)
        rows = (await session.execute(query.order_by(outbox.c.id))).all()
    found = []
    for row in rows:
        envelope = json.loads(row.body)
        if envelope["data"].get("case_id") == str(case_id):
            found.append({"event_type": row.event_type, **envelope["data"]})
    return found


async def steps_of(service: CasesService, case_id: uuid.UUID) -> list[str]:
    """The workflow steps on the timeline, oldest first."""
    return [r["step"] for r in await timeline_of(service, case_id) if r["kind"] == "status_changed"]


async def claim_rows(service: CasesService, case_id: uuid.UUID) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        rows = await session.execute(
            select(claims).where(claims.c.case_id == case_id).order_by(claims.c.position)
        )
        return [dict(r) for r in rows.mappings()]


async def objection_rows(service: CasesService, case_id: uuid.UUID) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        rows = await session.execute(
            select(objections)
            .where(objections.c.case_id == case_id)
            .order_by(objections.c.registered_at)
        )
        return [dict(r) for r in rows.mappings()]


async def plan_rows(service: CasesService, case_id: uuid.UUID) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        rows = await session.execute(
            select(payment_plans)
            .where(payment_plans.c.case_id == case_id)
            .order_by(payment_plans.c.created_at)
        )
        return [dict(r) for r in rows.mappings()]
