"""A case's money from registration to paid in full: a worked example, booked and read.

NOK 10 000 due 31 January 2025, with a NOK 35 reminder fee the creditor charged. Rates
(``shared/domain/rates.csv``): forsinkelsesrente 12.50 % (2025 H1), purregebyr 35,
inkassosats 700, lett salær ≤ 10 000 = 0.8 x 700 = 560 (sergel.no). Default order: costs,
interest, principal.

- 15 Feb: inkassovarsel (15 days after the due date): fee 35.
- 3 Mar: betalingsoppfordring: lett salær 560.
- 17 Mar: NOK 1 000 paid. Interest 1 Feb-17 Mar, 45 days on 1 000 000 øre:
  1 000 000 * 0.125 * 45 / 365 = 15 410.96 → 15 411. Costs 35 + 560 + 35 = 630.00, interest
  154.11, principal 215.89 → principal left 978 411.
- 31 Mar (no payment): interest to date exactly (5 625 000 + 978 411 * 0.125 * 14) / 365 =
  20 101.97 → 20 102; 4 691 more than booked.
- 16 Apr: paid in full. Interest to date (5 625 000 + 978 411 * 0.125 * 30) / 365 =
  25 463.13 → 25 463: 10 052 since the last payment; owed 978 411 + 10 052 = 988 463.
"""

from __future__ import annotations

from datetime import date

import pytest
from ledger.bootstrap import LedgerService
from ledger.domain.components import Component

from .books import Ledger
from .outbox import events

pytestmark = pytest.mark.integration


def owed(economy: object) -> dict[Component, int]:
    return {line.component: line.outstanding_ore for line in economy.lines}  # type: ignore[attr-defined]


async def test_a_case_from_claim_to_paid_in_full(ledger: Ledger, service: LedgerService) -> None:
    case = await ledger.case((1_000_000, date(2025, 1, 31), 3_500))
    await ledger.steps(
        case.case_id,
        ("inkassovarsel_sent", date(2025, 2, 15)),
        ("betalingsoppfordring_sent", date(2025, 3, 3)),
    )

    before = await ledger.economy(case.case_id, date(2025, 3, 16))
    assert owed(before) == {
        Component.PRINCIPAL: 1_000_000,
        Component.INTEREST: 15_068,  # 44 days: 5 500 000 / 365 = 15 068.49
        Component.REMINDER_FEES: 3_500,
        Component.COLLECTION_FEES: 3_500 + 56_000,
        Component.COURT_FEES: 0,
    }
    assert {f["kind"]: f["amount_ore"] for f in before.fees} == {
        "inkassovarsel_fee": 3_500,
        "salaer_lett": 56_000,
    }
    assert all(f["rate_ids"] for f in before.fees)

    first = await ledger.pay(case.kid, 100_000, date(2025, 3, 17))
    assert (first.allocated, first.unmatched, first.settled_case_ids) == (1, 0, [])
    after_first = await ledger.economy(case.case_id, date(2025, 3, 17))
    assert after_first.payments[0]["covered"] == {
        "principal": 21_589,
        "interest": 15_411,
        "reminder_fees": 3_500,
        "collection_fees": 59_500,
        "court_fees": 0,
    }
    assert owed(after_first)[Component.PRINCIPAL] == 978_411
    assert after_first.balance_ore == 978_411

    between = await ledger.economy(case.case_id, date(2025, 3, 31))
    assert owed(between)[Component.INTEREST] == 20_102 - 15_411
    assert between.balance_ore == 978_411 + 4_691

    last = await ledger.pay(case.kid, 988_463, date(2025, 4, 16))
    assert last.settled_case_ids == [case.case_id]
    paid = await ledger.economy(case.case_id, date(2025, 4, 16))
    assert paid.balance_ore == 0
    assert paid.interest.amount_ore == 25_463
    assert paid.paid_ore == 1_088_463
    assert paid.overpaid_ore == 0
    # the economy of an earlier date is unchanged by what came later
    assert (await ledger.economy(case.case_id, date(2025, 3, 31))).balance_ore == 983_102
    # and later the balance stays zero: no interest on nothing
    assert (await ledger.economy(case.case_id, date(2025, 12, 31))).balance_ore == 0

    settled = await events(service, "ledger.case.settled_in_full", case.case_id)
    assert [(e["settled_on"], e["total_paid_ore"]) for e in settled] == [("2025-04-16", 1_088_463)]
    received = await events(service, "ledger.payment.received", case.case_id)
    assert [e["amount_ore"] for e in received] == [100_000, 988_463]
    balances = await events(service, "ledger.case.balance_changed", case.case_id)
    # one balance event per step day (the two steps came in one delivery), each dated it
    assert [(e["cause"], e["effective_date"]) for e in balances] == [
        ("registered", "2025-01-31"),
        ("fee", "2025-02-15"),
        ("fee", "2025-03-03"),
        ("payment", "2025-03-17"),
        ("payment", "2025-04-16"),
    ]
    assert balances[-1]["balance_ore"] == 0
    # and what was paid so far, for the case list (ADR 0055)
    assert [e["paid_ore"] for e in balances] == [0, 0, 0, 100_000, 1_088_463]


async def test_an_overpayment_is_refundable_and_settles_the_case(ledger: Ledger) -> None:
    case = await ledger.case((50_000, date(2025, 3, 1)))
    summary = await ledger.pay(case.kid, 60_000, date(2025, 3, 1))  # no interest yet
    assert summary.settled_case_ids == [case.case_id]
    economy = await ledger.economy(case.case_id, date(2025, 3, 1))
    assert (economy.balance_ore, economy.overpaid_ore) == (0, 10_000)


async def test_the_debtors_designation_is_honoured(ledger: Ledger) -> None:
    case = await ledger.case((100_000, date(2025, 1, 31), 3_500))
    await ledger.pay(case.kid, 50_000, date(2025, 1, 31), designation=(Component.PRINCIPAL,))
    economy = await ledger.economy(case.case_id, date(2025, 1, 31))
    assert owed(economy)[Component.PRINCIPAL] == 50_000
    assert owed(economy)[Component.REMINDER_FEES] == 3_500


async def test_a_creditor_agreement_sets_the_order(ledger: Ledger, service: LedgerService) -> None:
    from decimal import Decimal

    from ledger.domain.agreements import CreditorAgreement
    from ledger.service_layer.creditors import set_agreement

    creditor = ledger.creditor_id
    async with service.unit_of_work() as uow:
        await set_agreement(
            uow.books,
            CreditorAgreement(
                creditor,
                allocation_order=("principal", "interest", "costs"),
                commission_percent=Decimal(0),
            ),
        )
        await uow.commit()
    case = await ledger.case((100_000, date(2025, 1, 31), 3_500))
    await ledger.pay(case.kid, 100_000, date(2025, 1, 31))
    economy = await ledger.economy(case.case_id, date(2025, 1, 31))
    assert owed(economy) == {
        Component.PRINCIPAL: 0,
        Component.INTEREST: 0,
        Component.REMINDER_FEES: 3_500,
        Component.COLLECTION_FEES: 0,
        Component.COURT_FEES: 0,
    }


async def test_a_payment_with_an_earlier_value_date_is_allocated_in_value_date_order(
    ledger: Ledger,
) -> None:
    """NOK 10 000 due 1 Jan 2025, 12.50 %. NOK 300 with value date 10 Apr is booked first,
    then NOK 5 000 with value date 1 Feb arrives (a late file). The books end as if they
    had come in value-date order (this test asserted the order-dependent figure 492 351
    before, issue 13 point 4):

    - 1 Feb: interest 2 Jan-1 Feb, 31 days: 1 000 000 * 0.125 * 31 / 365 = 10 616.44 →
      10 616; NOK 5 000 covers 10 616 of interest and 489 384 of principal: 510 616 left.
    - 10 Apr: interest to date (1 000 000 * 31 + 510 616 * 68) * 0.125 / 365 = 22 507.50 →
      22 507, 11 891 since 1 Feb; NOK 300 covers 11 891 of interest and 18 109 of
      principal: 492 507 left.

    The split NOK 300 got when it came first (33 904 of interest owed to 10 Apr, 30 000
    of it covered) is undone and booked again (the rows the next settlement corrects)."""
    case = await ledger.case((1_000_000, date(2025, 1, 1)))
    await ledger.pay(case.kid, 30_000, date(2025, 4, 10))
    await ledger.pay(case.kid, 500_000, date(2025, 2, 1))
    economy = await ledger.economy(case.case_id, date(2025, 4, 10))
    assert owed(economy)[Component.PRINCIPAL] == 492_507
    assert owed(economy)[Component.INTEREST] == 0
    assert economy.interest.amount_ore == 22_507
    assert (economy.overpaid_ore, economy.paid_ore) == (0, 530_000)
    assert [(p["kind"], p["amount_ore"], p["covered"]["interest"], p["covered"]["principal"])
            for p in economy.payments] == [
        ("payment", 500_000, 10_616, 489_384),
        ("payment", 30_000, 30_000, 0),
        ("undone", -30_000, -30_000, 0),
        ("rebooked", 30_000, 11_891, 18_109),
    ]  # fmt: skip
