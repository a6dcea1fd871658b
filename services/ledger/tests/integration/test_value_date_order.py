"""Golden examples: a case's money depends on its payments in value-date order, never on
the order the bank files arrived in (issue 13 point 4, docs/money-rules.md §4).

Worked by hand from the law: forsinkelsesrente 12.50 % for 2025 H1
(``shared/domain/rates.csv``, forskrift 2024-12-19-3279), simple interest, a day 1/365 of
the annual rate (2025 is no leap year), interest for day d on the principal unpaid at the
end of day d - 1 (forsinkelsesrenteloven §§ 2-3), the exact total rounded once; the
default order of cover: costs, interest, principal (``shared/domain`` § 1.8).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from ledger.bootstrap import LedgerService
from ledger.domain.components import Component
from ledger.entrypoints import cli
from ledger.service_layer.reversals import reverse_payment
from ledger.views.economy import case_economy
from sqlalchemy import text

from .books import Ledger
from .outbox import events

pytestmark = pytest.mark.integration


def owed(economy: object) -> dict[Component, int]:
    return {line.component: line.outstanding_ore for line in economy.lines}  # type: ignore[attr-defined]


def figures(economy: object) -> tuple[object, ...]:
    return (
        owed(economy),
        economy.interest.amount_ore,  # type: ignore[attr-defined]
        economy.paid_ore,  # type: ignore[attr-defined]
        economy.overpaid_ore,  # type: ignore[attr-defined]
        economy.balance_ore,  # type: ignore[attr-defined]
    )


async def case_accounts(service: LedgerService, case_id: uuid.UUID) -> dict[str, int]:
    async with service.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT account_kind, sum(amount_ore) FROM postings WHERE holder = :case"
                " GROUP BY account_kind"
            ),
            {"case": case_id},
        )
        return {kind: int(total) for kind, total in rows}


MARCH_31 = date(2025, 3, 31)
JUNE_30 = date(2025, 6, 30)


@pytest.mark.parametrize("late_first", [False, True])
async def test_a_31_march_payment_after_a_30_june_one_still_pays_interest_first(
    ledger: Ledger, service: LedgerService, late_first: bool
) -> None:
    """NOK 12 000 due 31 Jan 2025; NOK 2 000 paid with value date 31 Mar, NOK 3 000 with
    value date 30 Jun, in either order of arrival.

    - 31 Mar: interest 1 Feb-31 Mar, 59 days: 1 200 000 * 0.125 * 59 / 365 = 24 246.58 →
      24 247. NOK 2 000 covers 24 247 of interest, 175 753 of principal: 1 024 247 left.
    - 30 Jun: interest to date (1 200 000 * 59 + 1 024 247 * 91) * 0.125 / 365
      = 56 166.60 → 56 167, 31 920 since 31 Mar. NOK 3 000 covers 31 920 of interest and
      268 080 of principal: 756 167 left.

    Before, the 31 March payment arriving second went wholly to principal."""
    case = await ledger.case((1_200_000, date(2025, 1, 31)))
    payments = [(200_000, MARCH_31), (300_000, JUNE_30)]
    for amount, on in reversed(payments) if not late_first else payments:
        await ledger.pay(case.kid, amount, on)

    end = await ledger.economy(case.case_id, JUNE_30)
    assert figures(end) == (
        {
            Component.PRINCIPAL: 756_167,
            Component.INTEREST: 0,
            Component.REMINDER_FEES: 0,
            Component.COLLECTION_FEES: 0,
            Component.COURT_FEES: 0,
        },
        56_167,
        500_000,
        0,
        756_167,
    )
    march = await ledger.economy(case.case_id, MARCH_31)
    assert (owed(march)[Component.PRINCIPAL], owed(march)[Component.INTEREST]) == (1_024_247, 0)
    live = [p for p in end.payments if p["kind"] in ("payment", "rebooked")]
    live_split = {p["value_date"]: (p["covered"]["interest"], p["covered"]["principal"])
                  for p in live}  # fmt: skip
    assert live_split[MARCH_31] == (24_247, 175_753)
    assert live_split[JUNE_30] == (31_920, 268_080)
    # booked: the case's accounts hold exactly the value-date figures
    accounts = await case_accounts(service, case.case_id)
    assert accounts["case.principal"] == 756_167
    assert accounts["case.interest"] == 0


async def test_as_booked_then_and_as_known_now(ledger: Ledger, service: LedgerService) -> None:
    """The same case, the 30 June file first. As booked before the late file came, the
    30 June balance was 1 200 000 - 238 356 = 961 644 (interest 1 Feb-30 Jun, 150 days:
    1 200 000 * 0.125 * 150 / 365 = 61 643.84 → 61 644, so NOK 3 000 covered 61 644 of
    interest and 238 356 of principal). As known now it is 756 167."""
    case = await ledger.case((1_200_000, date(2025, 1, 31)))
    await ledger.pay(case.kid, 300_000, JUNE_30)
    between = datetime.now(UTC)
    await ledger.pay(case.kid, 200_000, MARCH_31)

    async with service.session_factory() as session:
        then = await case_economy(
            session, case.case_id, JUNE_30, day_count="actual/actual", known_at=between
        )
    now = await ledger.economy(case.case_id, JUNE_30)
    assert then is not None
    assert (then.balance_ore, then.interest.amount_ore) == (961_644, 61_644)
    assert [(p["kind"], p["covered"]["interest"]) for p in then.payments] == [("payment", 61_644)]
    assert now.balance_ore == 756_167


async def test_a_payment_on_the_due_date_arriving_late(ledger: Ledger) -> None:
    """NOK 10 000 due 31 Jan 2025 with the creditor's NOK 35 reminder fee. NOK 2 000 with
    value date 28 Feb is booked first; NOK 5 000 paid on the due date arrives after it.

    - 31 Jan (the due date): no interest yet (it runs from 1 Feb). Costs first: the
      reminder fee 3 500, then principal 496 500: 503 500 left.
    - 28 Feb: interest 1-28 Feb, 28 days on 503 500: 503 500 * 0.125 * 28 / 365
      = 4 828.08 → 4 828. NOK 2 000 covers 4 828 of interest, 195 172 of principal:
      308 328 left."""
    case = await ledger.case((1_000_000, date(2025, 1, 31), 3_500))
    await ledger.pay(case.kid, 200_000, date(2025, 2, 28))
    await ledger.pay(case.kid, 500_000, date(2025, 1, 31))
    end = await ledger.economy(case.case_id, date(2025, 2, 28))
    assert owed(end) == {
        Component.PRINCIPAL: 308_328,
        Component.INTEREST: 0,
        Component.REMINDER_FEES: 0,
        Component.COLLECTION_FEES: 0,
        Component.COURT_FEES: 0,
    }
    assert end.interest.amount_ore == 4_828
    due_day = await ledger.economy(case.case_id, date(2025, 1, 31))
    assert (due_day.balance_ore, due_day.interest.amount_ore) == (503_500, 0)


async def test_an_overpayment_arriving_late_settles_the_case_once(
    ledger: Ledger, service: LedgerService
) -> None:
    """NOK 1 000 due 1 Mar 2025. NOK 600 with value date 31 Mar is booked first, then NOK
    500 paid on the due date arrives.

    - 1 Mar: no interest; principal 50 000 covered, 50 000 left.
    - 31 Mar: interest 2-31 Mar, 30 days on 50 000: 50 000 * 0.125 * 30 / 365 = 513.70 →
      514. NOK 600 covers 514 of interest, the 50 000 of principal, and 9 486 is
      overpaid (refundable): balance zero, settled on 31 Mar, announced once."""
    case = await ledger.case((100_000, date(2025, 3, 1)))
    first = await ledger.pay(case.kid, 60_000, date(2025, 3, 31))
    assert first.settled_case_ids == []
    late = await ledger.pay(case.kid, 50_000, date(2025, 3, 1))
    assert late.settled_case_ids == [case.case_id]
    end = await ledger.economy(case.case_id, date(2025, 12, 31))
    assert (end.balance_ore, end.overpaid_ore, end.interest.amount_ore) == (0, 9_486, 514)
    assert end.paid_ore == 110_000
    settled = await events(service, "ledger.case.settled_in_full", case.case_id)
    assert [(e["settled_on"], e["total_paid_ore"]) for e in settled] == [("2025-03-31", 110_000)]


async def test_a_reversal_of_an_earlier_payment_reallocates_the_later_one(
    ledger: Ledger, service: LedgerService
) -> None:
    """The 31 March / 30 June case in order, then the bank takes the 31 March payment back.
    As if it had never been paid: interest 1 Feb-30 Jun, 150 days on 1 200 000 = 61 644;
    NOK 3 000 covers 61 644 of interest and 238 356 of principal: 961 644 left."""
    case = await ledger.case((1_200_000, date(2025, 1, 31)))
    march = await ledger.pay(case.kid, 200_000, MARCH_31)
    await ledger.pay(case.kid, 300_000, JUNE_30)
    async with service.unit_of_work() as uow:
        await reverse_payment(uow.books, march.payment_ids[0], reason="test", policy=service.policy)
        await uow.commit()
    end = await ledger.economy(case.case_id, JUNE_30)
    assert (owed(end)[Component.PRINCIPAL], owed(end)[Component.INTEREST]) == (961_644, 0)
    assert (end.interest.amount_ore, end.paid_ore) == (61_644, 300_000)
    accounts = await case_accounts(service, case.case_id)
    assert accounts["case.principal"] == 961_644
    # the cases service is told (the payment no longer interrupts limitation, ADR 0068)
    taken_back = await events(service, "ledger.payment.reversed", case.case_id)
    assert [(e["payment_id"], e["value_date"], e["amount_ore"]) for e in taken_back] == [
        (str(march.payment_ids[0]), "2025-03-31", 200_000)
    ]


async def test_a_zero_balance_is_the_same_whichever_file_came_first(ledger: Ledger) -> None:
    """NOK 1 000 due 1 Mar 2025: NOK 500 on the due date and NOK 505.14 on 31 Mar. In
    order: 1 Mar covers 50 000 of principal; 31 Mar owes 514 of interest (as above) and
    the 50 000 left: exactly zero, nothing overpaid, whichever file came first."""
    results = []
    for order in ((date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 3, 31), date(2025, 3, 1))):
        case = await ledger.case((100_000, date(2025, 3, 1)))
        amounts = {date(2025, 3, 1): 50_000, date(2025, 3, 31): 50_514}
        for on in order:
            await ledger.pay(case.kid, amounts[on], on)
        end = await ledger.economy(case.case_id, date(2025, 6, 30))
        results.append((end.balance_ore, end.overpaid_ore, end.interest.amount_ore))
    assert results == [(0, 0, 514), (0, 0, 514)]


async def test_a_settled_split_is_corrected_in_the_next_settlement(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    """The 30 June payment is settled and paid out (61 644 of interest, 238 356 of
    principal, as booked then); the 31 March one arrives afterwards. The posted settlement
    stays as it was; the next one carries the March payment's line and, as correcting
    lines, the June split undone and booked again (31 920 of interest, 268 080 of
    principal; figures as in the first example). Commission 0 %."""
    admin = ledger.admin
    await client.put(
        f"/api/v1/ledger/creditors/{ledger.creditor_id}/agreement",
        json={"commission_percent": "0", "payout_account": "12345678903", "payout_name": "B AS"},
        headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
    )
    case = await ledger.case((1_200_000, date(2025, 1, 31)))
    await ledger.pay(case.kid, 300_000, JUNE_30)

    async def settle(period_end: str) -> dict[str, object]:
        run = await client.post(
            "/api/v1/ledger/settlement-runs",
            json={"period_end": period_end, "creditor_ids": [str(ledger.creditor_id)]},
            headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert run.status_code == 201, run.text
        (settlement_id,) = run.json()["settlement_ids"]
        confirmed = await client.post(
            f"/api/v1/ledger/settlements/{settlement_id}/confirmation",
            json={},
            headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert confirmed.status_code == 200, confirmed.text
        return {"id": settlement_id}

    def split(lines: list[dict[str, int]]) -> list[tuple[int, int]]:
        return [(line["interest_ore"], line["principal_ore"]) for line in lines]

    first = await settle("2025-06-30")
    path = f"/api/v1/ledger/settlements/{first['id']}"
    before = (await client.get(f"{path}/lines", headers=admin)).json()
    assert split(before) == [(61_644, 238_356)]

    await ledger.pay(case.kid, 200_000, MARCH_31)
    second = await settle("2025-07-31")
    after = (await client.get(f"{path}/lines", headers=admin)).json()
    assert after == before
    assert (await client.get(path, headers=admin)).json()["collected_ore"] == 300_000
    lines = (
        await client.get(f"/api/v1/ledger/settlements/{second['id']}/lines", headers=admin)
    ).json()
    assert split(lines) == [(24_247, 175_753), (-61_644, -238_356), (31_920, 268_080)]

    economy = f"/api/v1/ledger/cases/{case.case_id}/economy"
    own = ledger.creditor()
    now = (await client.get(economy, params={"as_of": "2025-06-30"}, headers=own)).json()
    assert (now["basis"], now["known_at"], now["balance_ore"]) == ("as_known_now", None, 756_167)
    then = (
        await client.get(
            economy, params={"as_of": "2025-06-30", "basis": "as_booked_then"}, headers=own
        )
    ).json()
    assert then["basis"] == "as_booked_then"
    assert then["known_at"].startswith("2025-06-30T23:59:59.999999")
    assert then["balance_ore"] == 0  # nothing of the case was booked by then (registered 2026)
    bad = await client.get(economy, params={"known_at": "2025-07-01T00:00:00Z"}, headers=own)
    assert bad.status_code == 422


async def test_restating_a_case_booked_in_arrival_order(
    ledger: Ledger, service: LedgerService, capsys: pytest.CaptureFixture[str]
) -> None:
    """NOK 10 000 due 31 Jan 2025. NOK 1 000 paid 17 Mar is booked; then the
    betalingsoppfordring of 3 Mar arrives and its lett salær (0.8 x 700 = NOK 560) is
    charged on 3 Mar, after the payment was split without it. As booked: interest
    1 Feb-17 Mar, 45 days, 1 000 000 * 0.125 * 45 / 365 = 15 410.96 → 15 411, principal
    84 589: 915 411 principal and 56 000 salær owed. In value-date order the salær was owed
    on 17 Mar and costs come first: 56 000 salær, 15 411 interest, 28 589 principal, so
    971 411 principal and no salær. ``restate-cases`` lists it (a dry run keeps nothing),
    and ``--apply`` books it."""
    case = await ledger.case((1_000_000, date(2025, 1, 31)))
    await ledger.pay(case.kid, 100_000, date(2025, 3, 17))
    await ledger.steps(case.case_id, ("betalingsoppfordring_sent", date(2025, 3, 3)))
    on = date(2025, 3, 17)

    def principal_and_fees(economy: object) -> tuple[int, int]:
        found = owed(economy)
        return found[Component.PRINCIPAL], found[Component.COLLECTION_FEES]

    assert principal_and_fees(await ledger.economy(case.case_id, on)) == (915_411, 56_000)

    only = ["--case", str(case.case_id)]
    assert await cli.run(service, ["restate-cases", *only]) == 0
    dry = capsys.readouterr().out
    assert (
        f"{case.case_id}: owed 971411 → 971411 øre "
        "(principal 915411 → 971411, collection_fees 56000 → 0)"
    ) in dry
    assert "1 would change (dry run, nothing kept)" in dry
    assert principal_and_fees(await ledger.economy(case.case_id, on)) == (915_411, 56_000)

    assert await cli.run(service, ["restate-cases", "--apply", *only]) == 0
    assert "1 restated" in capsys.readouterr().out
    assert principal_and_fees(await ledger.economy(case.case_id, on)) == (971_411, 0)
    assert await cli.run(service, ["restate-cases", *only]) == 0
    assert "0 would change" in capsys.readouterr().out
    accounts = await case_accounts(service, case.case_id)
    assert (accounts["case.principal"], accounts["case.collection_fees"]) == (971_411, 0)
