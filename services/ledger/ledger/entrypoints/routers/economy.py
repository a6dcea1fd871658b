"""A case's economy on a date, and its payments (creditor users: their own cases only)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime
from servicekit.auth import CurrentPrincipal
from servicekit.openapi import problem_responses
from servicekit.types import StrictDate

from ledger.domain.errors import CaseNotFound, InvalidInput
from ledger.domain.rates import MissingRate
from ledger.entrypoints.deps import ServiceDep
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.schemas import (
    CasePaymentOut,
    ComponentOut,
    EconomyOut,
    FeeOut,
    InterestOut,
    InterestPeriodOut,
    PaymentOut,
)
from ledger.service_layer.policy import business_date
from ledger.views import economy as economy_view
from ledger.views import payments as payments_view

router = APIRouter(prefix=PREFIX, tags=["case economy"])

AsOf = Annotated[
    StrictDate | None, Query(description="the business date (default: today, Europe/Oslo)")
]
BasisQuery = Annotated[
    Literal["as_known_now", "as_booked_then"],
    Query(
        description="'as_known_now' (default): the date's economy with everything booked "
        "since (payments that arrived late, re-allocated in value-date order); "
        "'as_booked_then': as the books stood at the end of the date (or at known_at)"
    ),
]
KnownAt = Annotated[
    AwareDatetime | None,
    Query(
        description="with 'as_booked_then': the moment to read the books as of (default: "
        "the end of as_of, Europe/Oslo)"
    ),
]


@router.get(
    "/cases/{case_id}/economy",
    response_model=EconomyOut,
    responses=problem_responses(404, 422),
    summary="Claims, costs, interest, payments and balance of a case on a date",
)
async def get_economy(
    case_id: uuid.UUID,
    principal: CurrentPrincipal,
    service: ServiceDep,
    as_of: AsOf = None,
    basis: BasisQuery = "as_known_now",
    known_at: KnownAt = None,
) -> EconomyOut:
    on = as_of or business_date(datetime.now(UTC))
    if known_at is not None and basis != "as_booked_then":
        raise InvalidInput("known_at", "known_at goes with basis=as_booked_then")
    cut = (known_at or economy_view.end_of_business_day(on)) if basis == "as_booked_then" else None
    async with service.session_factory() as session:
        creditor = await economy_view.creditor_of_case(session, case_id)
        if creditor is None or (principal.tenant is not None and creditor != principal.tenant):
            raise CaseNotFound("No such case.")
        try:
            found = await economy_view.case_economy(
                session,
                case_id,
                on,
                day_count=service.policy.day_count,
                known_at=cut or economy_view.KNOWN_NOW,
            )
        except MissingRate as exc:
            raise InvalidInput("as_of", f"{exc}") from exc
    assert found is not None
    facts = found.facts
    interest_provisional = any(p.carried_forward for p in found.interest.periods)
    provisional = interest_provisional or any(f.get("provisional") for f in found.fees)
    return EconomyOut(
        case_id=facts.case_id,
        creditor_id=facts.creditor_id,
        case_number=found.case_number,
        kid=facts.kid,
        as_of=on,
        basis=basis,
        known_at=cut,
        currency=facts.currency,
        components=[
            ComponentOut(
                component=line.component,
                charged_ore=line.charged_ore,
                paid_ore=line.paid_ore,
                written_off_ore=line.written_off_ore,
                outstanding_ore=line.outstanding_ore,
            )
            for line in found.lines
        ],
        interest=InterestOut(
            accrued_ore=found.interest.amount_ore,
            exact_ore=economy_view.exact_text(found.interest.exact_ore),
            periods=[
                InterestPeriodOut(
                    first=p.first,
                    last=p.last,
                    days=p.days,
                    principal_ore=p.principal_ore,
                    rate_percent=p.rate.value,
                    rate_id=p.rate.id,
                    year_days=p.year_days,
                    exact_ore=economy_view.exact_text(p.exact_ore),
                    carried_forward=p.carried_forward,
                )
                for p in found.interest.periods
            ],
            provisional=interest_provisional,
        ),
        provisional=provisional,
        fees=[FeeOut.model_validate(f) for f in found.fees],
        payments=[CasePaymentOut.model_validate(p) for p in found.payments],
        paid_ore=found.paid_ore,
        overpaid_ore=found.overpaid_ore,
        balance_ore=found.balance_ore,
        settled_on=facts.settled_on,
        closed_on=facts.closed_on,
        close_reason=facts.close_reason,
    )


@router.get(
    "/cases/{case_id}/payments",
    response_model=list[PaymentOut],
    responses=problem_responses(404),
    summary="Payments booked on a case",
)
async def get_case_payments(
    case_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> list[PaymentOut]:
    async with service.session_factory() as session:
        creditor = await economy_view.creditor_of_case(session, case_id)
        if creditor is None or (principal.tenant is not None and creditor != principal.tenant):
            raise CaseNotFound("No such case.")
        rows = await payments_view.list_payments(
            session, tenant=principal.tenant, case_id=case_id, limit=1000
        )
    return [PaymentOut.model_validate(r) for r in rows]
