"""An avdragsordning checked against the debt: interest keeps running on the principal
until the instalments reach it, and the plan's own fee is part of what it must pay."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from ledger.domain.components import DEFAULT_ORDER, Component, expand_order
from ledger.domain.plan_check import PlannedInstalment, check_plan

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 2)
ORDER = expand_order(DEFAULT_ORDER)
DEBT = {
    Component.PRINCIPAL: 1_000_000,
    Component.INTEREST: 5_000,
    Component.COLLECTION_FEES: 70_000,
}


def _monthly(count: int, amount_ore: int) -> list[PlannedInstalment]:
    return [
        PlannedInstalment(TODAY + timedelta(days=30 * (n + 1)), amount_ore) for n in range(count)
    ]


def test_instalments_of_just_the_balance_leave_the_interest_of_the_plan_unpaid() -> None:
    checked = check_plan(
        DEBT,
        TODAY,
        _monthly(5, 215_000),  # kr 10 750,00: the balance today, to the øre
        order=ORDER,
        rate_on=lambda _day: Decimal("12.25"),
        year_days=lambda _day: 365,
        plan_fees_ore=0,
    )
    assert checked.balance_ore == 1_075_000
    assert checked.instalments_ore == checked.balance_ore
    assert checked.interest_ore > 0
    assert checked.missing_ore == checked.interest_ore  # every øre missing is interest
    assert not checked.covers


def test_costs_first_means_the_principal_accrues_longer_than_principal_first() -> None:
    plan = _monthly(5, 215_000)
    costs_first = check_plan(
        DEBT, TODAY, plan, order=ORDER, rate_on=lambda _d: Decimal("12"), year_days=lambda _d: 365
    )
    principal_first = check_plan(
        DEBT,
        TODAY,
        plan,
        order=expand_order(("principal", "interest", "costs")),
        rate_on=lambda _d: Decimal("12"),
        year_days=lambda _d: 365,
    )
    assert costs_first.interest_ore > principal_first.interest_ore


def test_the_plans_fee_is_part_of_what_it_must_pay_and_enough_covers_all() -> None:
    short = check_plan(
        DEBT,
        TODAY,
        _monthly(6, 200_000),
        order=ORDER,
        rate_on=lambda _d: Decimal("12.25"),
        year_days=lambda _d: 365,
        plan_fees_ore=105_000,
    )
    assert short.total_ore == 1_075_000 + short.interest_ore + 105_000
    assert short.missing_ore == short.total_ore - short.instalments_ore
    enough = check_plan(
        DEBT,
        TODAY,
        _monthly(6, 200_000 + -(-short.missing_ore // 6)),
        order=ORDER,
        rate_on=lambda _d: Decimal("12.25"),
        year_days=lambda _d: 365,
        plan_fees_ore=105_000,
    )
    assert enough.covers
    assert enough.missing_ore == 0


def test_one_day_of_interest_is_exact_and_rounded_once() -> None:
    debt = {Component.PRINCIPAL: 365_000}
    checked = check_plan(
        debt,
        TODAY,
        [PlannedInstalment(TODAY + timedelta(days=1), 365_000)],
        order=ORDER,
        rate_on=lambda _d: Decimal("10"),
        year_days=lambda _d: 365,
    )
    assert checked.interest_ore == 100  # 365 000 x 10 % / 365
    assert checked.missing_ore == 100  # the interest is paid first: 1 kr of principal is left
