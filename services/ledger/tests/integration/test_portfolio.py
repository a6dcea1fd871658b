"""The economy of every case on a date agrees, case by case, with each case's economy."""

from __future__ import annotations

from datetime import date

import pytest
from ledger.adapters.rate_store import RateStore
from ledger.bootstrap import LedgerService
from ledger.views.portfolio import case_balances

from .books import Ledger

pytestmark = pytest.mark.integration


async def test_every_case_on_a_date_matches_its_own_economy(
    service: LedgerService, ledger: Ledger
) -> None:
    paid = await ledger.case((400_000, date(2025, 2, 1), 3_500))
    await ledger.steps(paid.case_id, ("betalingsoppfordring_sent", date(2025, 3, 1)))
    await ledger.pay(paid.kid, 100_000, date(2025, 4, 1))
    untouched = await ledger.case((90_000, date(2025, 3, 10)), (10_000, date(2025, 4, 1)))
    later = await ledger.case((50_000, date(2025, 9, 1)))
    as_of = date(2025, 6, 30)
    async with service.session_factory() as session:
        rates = await RateStore(session).book()
    found = {
        b.case_id: b
        async for b in case_balances(
            service.engine, rates, as_of, day_count=service.policy.day_count, chunk=2
        )
    }
    for case in (paid, untouched):
        economy = await ledger.economy(case.case_id, as_of)
        assert found[case.case_id].balance_ore == economy.balance_ore
    assert later.case_id not in found  # nothing booked by the date (due in September)
