"""The journal: the trial balance and an account holder's balances on a date (agency
administrators)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter
from servicekit.types import StrictDate

from ledger.entrypoints.deps import AgencyAdmin, ServiceDep
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.schemas import BalanceOut, TrialBalanceOut
from ledger.service_layer.policy import business_date
from ledger.views import journal as journal_view

router = APIRouter(prefix=PREFIX, tags=["journal"])


@router.get(
    "/journal/trial-balance",
    response_model=TrialBalanceOut,
    summary="Every account kind's balance on a date (they sum to zero)",
)
async def get_trial_balance(
    principal: AgencyAdmin, service: ServiceDep, as_of: StrictDate | None = None
) -> TrialBalanceOut:
    del principal
    on = as_of or business_date(datetime.now(UTC))
    async with service.session_factory() as session:
        rows = await journal_view.trial_balance(session, on)
    accounts = [BalanceOut.model_validate(r) for r in rows]
    return TrialBalanceOut(
        as_of=on, accounts=accounts, total_ore=sum(a.balance_ore for a in accounts)
    )


@router.get(
    "/journal/balances",
    response_model=list[BalanceOut],
    summary="The accounts of a case or creditor (or the agency's, without `holder`) on a date",
)
async def get_balances(
    principal: AgencyAdmin,
    service: ServiceDep,
    holder: uuid.UUID | None = None,
    as_of: StrictDate | None = None,
) -> list[BalanceOut]:
    del principal
    on = as_of or business_date(datetime.now(UTC))
    async with service.session_factory() as session:
        rows = await journal_view.holder_balances(session, holder, on)
    return [BalanceOut.model_validate(r) for r in rows]
