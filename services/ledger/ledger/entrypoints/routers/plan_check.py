"""Checking an avdragsordning against the debt before it is agreed (issue 16 §5)."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from fastapi import APIRouter
from servicekit.auth import CurrentPrincipal
from servicekit.openapi import problem_responses

from ledger.adapters.agreements import AgreementStore
from ledger.adapters.rate_store import RateStore
from ledger.domain.errors import CaseNotFound, InvalidInput
from ledger.domain.fees import PAYMENT_PLAN_AGREED, FeeKind, Step, assess_fees
from ledger.domain.plan_check import PlannedInstalment, check_plan
from ledger.domain.rates import MissingRate, RateBook, RateKind
from ledger.entrypoints.deps import ServiceDep
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.schemas import PlanCheckIn, PlanCheckOut
from ledger.service_layer.policy import business_date
from ledger.views import economy as economy_view

router = APIRouter(prefix=PREFIX, tags=["case economy"])

MAX_PLAN_DAYS = 3653
"""An avdragsordning's last instalment is due within ten years (as the cases service says)."""


@router.post(
    "/cases/{case_id}/payment-plan-check",
    response_model=PlanCheckOut,
    responses=problem_responses(404, 422),
    summary="Whether an avdragsordning's instalments pay the debt",
    description=(
        "Reads nothing into the books. The debt today, the forsinkelsesrente accruing on "
        "the unpaid principal until the last instalment (each instalment allocated in the "
        "creditor's allocation order, as the payment will be) and the avdragsgebyr the "
        "plan adds (inkassoforskriften § 2-4, once per case) against the instalments: "
        "`missing_ore` is what the plan leaves unpaid."
    ),
)
async def check_payment_plan(
    case_id: uuid.UUID, body: PlanCheckIn, principal: CurrentPrincipal, service: ServiceDep
) -> PlanCheckOut:
    today = business_date(datetime.now(UTC))
    last = today + timedelta(days=MAX_PLAN_DAYS)
    for i, instalment in enumerate(body.instalments):
        if instalment.due_date > last:
            raise InvalidInput(f"instalments[{i}].due_date", "must be within ten years")
    async with service.session_factory() as session:
        creditor = await economy_view.creditor_of_case(session, case_id)
        if creditor is None or (principal.tenant is not None and creditor != principal.tenant):
            raise CaseNotFound("No such case.")
        found = await economy_view.case_economy(
            session, case_id, today, day_count=service.policy.day_count
        )
        rates = await RateStore(session).book()
        agreement = await AgreementStore(session).get(creditor)
    assert found is not None
    fees = 0
    if not any(f["kind"] == FeeKind.AVDRAGSGEBYR for f in found.fees):
        terms = found.facts.terms(vat_deductible=agreement.vat_deductible)
        plan = Step(PAYMENT_PLAN_AGREED, today, len(body.instalments))
        assessment = assess_fees(terms, [plan], rates)
        fees = sum(c.amount_ore for c in assessment.charges if c.kind == FeeKind.AVDRAGSGEBYR)
    try:
        checked = check_plan(
            {line.component: line.outstanding_ore for line in found.lines},
            today,
            [PlannedInstalment(i.due_date, i.amount_ore) for i in body.instalments],
            order=agreement.order,
            rate_on=_rate_on(rates),
            year_days=_year_days(service.policy.day_count),
            plan_fees_ore=fees,
        )
    except MissingRate as exc:
        raise InvalidInput("instalments", f"{exc}") from exc
    return PlanCheckOut(
        case_id=case_id,
        as_of=today,
        balance_ore=checked.balance_ore,
        interest_ore=checked.interest_ore,
        fees_ore=checked.fees_ore,
        total_ore=checked.total_ore,
        instalments_ore=checked.instalments_ore,
        missing_ore=checked.missing_ore,
        covers=checked.covers,
    )


def _rate_on(rates: RateBook) -> Callable[[date], Decimal]:
    cache: dict[date, Decimal] = {}

    def rate(day: date) -> Decimal:
        half = date(day.year, 1 if day.month <= 6 else 7, 1)
        if half not in cache:
            cache[half] = rates.in_force(RateKind.FORSINKELSESRENTE, half).value
        return cache[half]

    return rate


def _year_days(day_count: str) -> Callable[[date], int]:
    def days(day: date) -> int:
        leap = day_count == "actual/actual" and calendar.isleap(day.year)
        return 366 if leap else 365

    return days
