"""Does an avdragsordning (payment plan) pay the debt? (pure; issue 16 §5)

A plan is checked before it is agreed: the debt as it stands today, plus the
forsinkelsesrente that keeps accruing on the unpaid principal while the plan runs, plus
the fees agreeing the plan itself adds (the avdragsgebyr, inkassoforskriften § 2-4), must
be covered by the instalments. Each instalment is allocated as the ledger will allocate
the payment (the creditor's allocation order: by default costs, then interest, then
principal), so interest keeps running on the principal until the instalments reach it.

Interest is accrued day by day, exactly (a :class:`~fractions.Fraction`), and rounded
once, as the ledger does (ADR 0011); each day uses the forsinkelsesrente in force that
day (a half-year whose rate is not published yet carries the last one forward, as the
ledger does until it is confirmed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from ledger.domain.components import Component
from ledger.domain.money import round_ore


@dataclass(frozen=True, slots=True)
class PlannedInstalment:
    due_date: date
    amount_ore: int


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """What the plan must cover and how much of it the instalments leave unpaid."""

    balance_ore: int
    """The debt today (every component)."""
    interest_ore: int
    """Forsinkelsesrente accruing from tomorrow until the last instalment."""
    fees_ore: int
    """Fees agreeing the plan adds (the avdragsgebyr), when it adds one."""
    instalments_ore: int
    missing_ore: int
    """What is still owed after the last instalment (0: the plan pays the debt)."""

    @property
    def total_ore(self) -> int:
        return self.balance_ore + self.interest_ore + self.fees_ore

    @property
    def covers(self) -> bool:
        return self.missing_ore == 0


def check_plan(
    outstanding: Mapping[Component, int],
    today: date,
    instalments: Sequence[PlannedInstalment],
    *,
    order: Sequence[Component],
    rate_on: Callable[[date], Decimal],
    year_days: Callable[[date], int],
    plan_fees_ore: int = 0,
) -> PlanCheck:
    """Walk the plan day by day from ``today`` to its last instalment.

    ``outstanding`` is the debt today by component (interest accrued up to and including
    today); ``rate_on`` gives the yearly forsinkelsesrente in percent on a day and
    ``year_days`` the days of that day's year (the ledger's day count).
    """
    owed: dict[Component, Fraction] = {c: Fraction(outstanding.get(c, 0)) for c in Component}
    owed[Component.COLLECTION_FEES] += plan_fees_ore
    accrued = Fraction(0)
    day = today
    for instalment in sorted(instalments, key=lambda i: i.due_date):
        while day < instalment.due_date:
            day += timedelta(days=1)
            principal = owed[Component.PRINCIPAL]
            if principal > 0:
                daily = principal * Fraction(rate_on(day)) / 100 / year_days(day)
                owed[Component.INTEREST] += daily
                accrued += daily
        left = Fraction(instalment.amount_ore)
        for component in order:
            paid = min(left, max(owed[component], Fraction(0)))
            owed[component] -= paid
            left -= paid
    missing = round_ore(sum(owed.values(), Fraction(0)))
    return PlanCheck(
        balance_ore=sum(outstanding.values()),
        interest_ore=round_ore(accrued),
        fees_ore=plan_fees_ore,
        instalments_ore=sum(i.amount_ore for i in instalments),
        missing_ore=max(missing, 0),
    )
