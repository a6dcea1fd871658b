"""What a creditor spent on credit reports: this month's total and the monthly
specification (every charged search: date, subject masked, purpose, case, user, price)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from servicekit.openapi import problem_responses

from credit import views
from credit.domain.errors import InvalidInput
from credit.entrypoints.deps import AgencyAdmin, ReportReader, ServiceDep, creditor_scope
from credit.entrypoints.schemas import (
    AllSpendOut,
    CreditorSpendOut,
    SpecificationLineOut,
    SpecificationOut,
    SpendOut,
)
from credit.service_layer.ordering import OSLO

router = APIRouter(prefix="/api/v1/credit", tags=["spend"])

Month = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (default: this month)")
]
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _month(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).astimezone(OSLO).date().replace(day=1)
    match = _MONTH.fullmatch(value)
    if match is None or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2999:
        raise InvalidInput("month", "month-invalid")
    return date(int(match[1]), int(match[2]), 1)


def _scope(principal: ReportReader, creditor_id: uuid.UUID | None) -> uuid.UUID:
    scope = creditor_scope(principal, creditor_id)
    if scope is None:
        raise InvalidInput("creditor_id", "creditor-required")
    return scope


async def _specification(service: ServiceDep, creditor: uuid.UUID, month: date) -> SpecificationOut:
    async with service.session_factory() as session:
        lines = await views.charged_lines(session, creditor, month)
    price = sum(line["price_ore"] for line in lines)
    vat = sum(line["vat_ore"] for line in lines)
    return SpecificationOut(
        creditor_id=creditor,
        month=month.strftime("%Y-%m"),
        orders=len(lines),
        price_ore=price,
        vat_ore=vat,
        total_ore=price + vat,
        lines=[SpecificationLineOut.model_validate(line) for line in lines],
    )


@router.get(
    "/spend",
    response_model=SpendOut,
    responses=problem_responses(404),
    summary="A month's charged credit reports, in total",
)
async def spend(
    principal: ReportReader,
    service: ServiceDep,
    month: Month = None,
    creditor_id: uuid.UUID | None = None,
) -> SpendOut:
    full = await _specification(service, _scope(principal, creditor_id), _month(month))
    return SpendOut.model_validate(full.model_dump(exclude={"lines"}))


@router.get(
    "/specification",
    response_model=SpecificationOut,
    responses=problem_responses(404),
    summary="A month's specification: every charged credit report, line by line",
)
async def specification(
    principal: ReportReader,
    service: ServiceDep,
    month: Month = None,
    creditor_id: uuid.UUID | None = None,
) -> SpecificationOut:
    return await _specification(service, _scope(principal, creditor_id), _month(month))


@router.get(
    "/spend/creditors",
    response_model=AllSpendOut,
    summary="A month's charged credit reports for every creditor, in one call",
)
async def spend_by_creditor(
    principal: AgencyAdmin, service: ServiceDep, month: Month = None
) -> AllSpendOut:
    chosen = _month(month)
    async with service.session_factory() as session:
        rows = await views.spend_by_creditor(session, chosen)
    return AllSpendOut(
        month=chosen.strftime("%Y-%m"),
        creditors=[CreditorSpendOut.model_validate(r) for r in rows],
    )
