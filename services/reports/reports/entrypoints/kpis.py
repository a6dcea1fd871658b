"""``/api/v1/reports/kpis``: the start page's key figures for the caller's organisation
(agency staff: every creditor, or one with ``creditor_id``), from the read model only:
recovery rate (principal recovered / principal registered), what was collected per month
over the last months, and open principal in ageing buckets."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from servicekit.auth import CurrentPrincipal
from servicekit.openapi import problem_responses
from servicekit.types import StrictDate

from reports.adapters.report_queries import (
    ReportParameters,
    ageing,
    collected_per_month,
    recovery_total,
)
from reports.bootstrap import ReportsService
from reports.domain.catalogue import AGEING_BUCKETS
from reports.domain.kpis import RecoveryRate, first_day, last_months

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
OSLO = ZoneInfo("Europe/Oslo")


async def _service(request: Request) -> ReportsService:
    service: ReportsService = request.app.state.service
    return service


ServiceDep = Annotated[ReportsService, Depends(_service)]


class RecoveryOut(BaseModel):
    cases: int
    registered_principal_ore: int
    recovered_principal_ore: int
    rate_percent: float | None = Field(description="one decimal; null when nothing registered")


class MonthOut(BaseModel):
    month: str = Field(description="YYYY-MM")
    collected_ore: int = Field(description="payments booked with a value date in the month")


class AgeingOut(BaseModel):
    bucket: str = Field(description="days since the original due date: 0-30 … 365+")
    cases: int
    outstanding_principal_ore: int


class KpisOut(BaseModel):
    as_of: date
    recovery: RecoveryOut
    collected_per_month: list[MonthOut]
    ageing: list[AgeingOut]


@router.get(
    "/kpis",
    response_model=KpisOut,
    responses=problem_responses(401, 422),
    summary="Key figures for the start page: recovery rate, collected per month, ageing",
)
async def key_figures(
    principal: CurrentPrincipal,
    service: ServiceDep,
    creditor_id: Annotated[uuid.UUID | None, Query()] = None,
    months: Annotated[int, Query(ge=1, le=24)] = 12,
    as_of: Annotated[
        StrictDate | None,
        Query(description="the day the months end and the ages are counted to (default today)"),
    ] = None,
) -> KpisOut:
    today = as_of or datetime.now(UTC).astimezone(OSLO).date()
    p = ReportParameters(tenant=principal.tenant, creditor_id=creditor_id, period_to=today)
    wanted = last_months(today, months)
    async with service.session_factory() as session:
        count, registered, recovered = (await session.execute(recovery_total(p))).one()
        collected = dict(
            (await session.execute(collected_per_month(p, first_day(wanted[0]), today)))
            .tuples()
            .all()
        )
        buckets = {
            code: (n, ore) for code, n, ore in (await session.execute(ageing(p, today))).all()
        }
    rate = RecoveryRate(int(count), int(registered), int(recovered))
    return KpisOut(
        as_of=today,
        recovery=RecoveryOut(
            cases=rate.cases,
            registered_principal_ore=rate.registered_principal_ore,
            recovered_principal_ore=rate.recovered_principal_ore,
            rate_percent=rate.rate_percent,
        ),
        collected_per_month=[
            MonthOut(month=m, collected_ore=int(collected.get(m) or 0)) for m in wanted
        ],
        ageing=[
            AgeingOut(
                bucket=code,
                cases=int(buckets.get(code, (0, 0))[0]),
                outstanding_principal_ore=int(buckets.get(code, (0, 0))[1] or 0),
            )
            for code, _, _ in AGEING_BUCKETS
        ],
    )
