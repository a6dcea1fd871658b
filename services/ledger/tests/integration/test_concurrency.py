"""A thousand payments on one case at once: no lost update (nothing covered twice, every
øre accounted for), no deadlock, one "settled in full", and a chain that verifies."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from ledger.bootstrap import LedgerService
from ledger.entrypoints import cli
from sqlalchemy import text

from .books import Ledger
from .outbox import events

pytestmark = pytest.mark.integration

PAYMENTS = 1_000
AMOUNT = 1_500


async def test_a_thousand_concurrent_payments_on_one_case(
    service: LedgerService, ledger: Ledger
) -> None:
    case = await ledger.case((1_000_000, date(2025, 3, 1)))
    paid_on = date(2025, 3, 11)  # 10 days: 1 000 000 * 0.125 * 10 / 365 = 3 424.66 → 3 425

    # every payment its own task and transaction; as many in flight at the database as the
    # pool has connections (the rest wait for one, not for the pool's timeout)
    connections = asyncio.Semaphore(service.settings.db_pool_size * 2)

    async def pay() -> object:
        async with connections:
            return await ledger.pay(case.kid, AMOUNT, paid_on)

    results = await asyncio.gather(*(pay() for _ in range(PAYMENTS)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []

    economy = await ledger.economy(case.case_id, paid_on)
    owed = 1_000_000 + 3_425
    assert economy.balance_ore == 0
    assert economy.interest.amount_ore == 3_425
    assert economy.overpaid_ore == PAYMENTS * AMOUNT - owed
    assert economy.paid_ore == PAYMENTS * AMOUNT
    assert len(await events(service, "ledger.case.settled_in_full", case.case_id)) == 1
    async with service.session_factory() as session:
        covered = (
            await session.execute(
                text(
                    "SELECT count(*), sum(principal_ore + interest_ore + reminder_fees_ore"
                    " + collection_fees_ore + court_fees_ore), sum(overpaid_ore)"
                    " FROM payment_allocations WHERE case_id = :case"
                ),
                {"case": case.case_id},
            )
        ).one()
    assert tuple(covered) == (PAYMENTS, owed, PAYMENTS * AMOUNT - owed)
    assert await cli.run(service, ["verify-chain"]) == 0
