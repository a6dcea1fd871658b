"""Forsinkelsesrente (late-payment interest): simple, day by day, across rate periods.

Rules (forsinkelsesrenteloven §§ 2-3; ``shared/domain`` § 1.6): interest runs on each
claim's unpaid principal from its due date, at the rate in force on each day (set per
half-year), never on interest. A day is 1/365 of the annual rate, 1/366 in a leap year
(``actual/actual``, the default; ``actual/365`` is the setting some calculators use).
Interest for day ``d`` is owed on the principal still unpaid at the end of day ``d - 1``:
a claim due on 1 March and paid on 31 March carries 30 days of interest.

Principal payments reduce the claims oldest due date first (then by claim id), so the
principal of every claim on every day follows from the cumulative principal paid. The
exact sum over all days is rounded once (:func:`ledger.domain.money.round_ore`).
"""

from __future__ import annotations

import calendar
import itertools
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ledger.domain.money import round_ore
from ledger.domain.rates import RateBook, RateKind, RateRow, half_year_start

DayCount = Literal["actual/actual", "actual/365"]

RATE_SCALE = 10_000
"""Rates are held as integers of 1/10 000 percent (12.50 % → 125 000)."""

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ClaimPrincipal:
    """A claim's principal and the date interest runs from."""

    claim_id: uuid.UUID
    due_date: date
    principal_ore: int
    time_barred_on: date | None = None
    """The first day the claim is time-barred (foreldet): no interest from that day on
    (ADR 0050)."""

    def accrues_on(self, day: date) -> bool:
        """Whether the claim's unpaid principal carries interest on ``day``."""
        return self.due_date < day and (self.time_barred_on is None or day < self.time_barred_on)


@dataclass(frozen=True, slots=True)
class PrincipalMovement:
    """Principal paid on a value date (negative: a payment taken back)."""

    value_date: date
    amount_ore: int


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """Days ``first``..``last`` (inclusive) on a constant principal at one rate."""

    first: date
    last: date
    days: int
    principal_ore: int
    rate: RateRow
    year_days: int
    exact_ore: Fraction
    carried_forward: bool
    """The rate is an older half-year's: no confirmed rate for this half-year yet."""


@dataclass(frozen=True, slots=True)
class InterestAccrual:
    """Interest accrued up to a date: exact, rounded once, and how it was made."""

    as_of: date
    exact_ore: Fraction
    periods: tuple[InterestPeriod, ...]

    @property
    def amount_ore(self) -> int:
        return round_ore(self.exact_ore)

    @property
    def rate_ids(self) -> tuple[int, ...]:
        return tuple(sorted({p.rate.id for p in self.periods}))


def shares_ore(accrual: InterestAccrual) -> tuple[int, ...]:
    """Each period's share of the accrual's rounded amount, in whole øre.

    The exact total is rounded once (:attr:`InterestAccrual.amount_ore`); to show it by
    period, each period gets its exact amount rounded down and the øre left over go one each
    to the periods with the largest fractions (the earlier period on a tie), so the shares
    always sum to the rounded total.
    """
    floors = [p.exact_ore.numerator // p.exact_ore.denominator for p in accrual.periods]
    left = accrual.amount_ore - sum(floors)
    by_fraction = sorted(
        range(len(floors)), key=lambda i: (-(accrual.periods[i].exact_ore - floors[i]), i)
    )
    for i in by_fraction[:left]:
        floors[i] += 1
    return tuple(floors)


def _scaled(rate: Decimal) -> int:
    scaled = rate * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"rate {rate} has more than four decimals")
    return int(scaled)


def _year_days(day: date, day_count: DayCount) -> int:
    return 366 if day_count == "actual/actual" and calendar.isleap(day.year) else 365


def _principal_on(claims: Sequence[ClaimPrincipal], paid: int, day: date) -> int:
    """Principal accruing interest on ``day``: claims due before it, less ``paid`` FIFO."""
    remaining_paid = paid
    accruing = 0
    for claim in claims:  # oldest due first
        covered = min(max(remaining_paid, 0), claim.principal_ore)
        remaining_paid -= covered
        if claim.accrues_on(day):
            accruing += claim.principal_ore - covered
    return accruing


def accrue(
    claims: Sequence[ClaimPrincipal],
    movements: Sequence[PrincipalMovement],
    rates: RateBook,
    as_of: date,
    *,
    stop: date | None = None,
    day_count: DayCount = "actual/actual",
    detail: bool = True,
) -> InterestAccrual:
    """Interest accrued on ``claims`` from their due dates up to and including ``as_of``.

    ``movements`` are principal payments (and reversals) with their value dates; those
    after ``as_of`` are ignored. Interest stops after ``stop`` (a case closed unpaid), and
    on a claim from the day it is time-barred.
    Raises :class:`ledger.domain.rates.MissingRate` when a day has no confirmed rate at all.
    """
    end = min(as_of, stop) if stop is not None else as_of
    ordered = sorted(claims, key=lambda c: (c.due_date, str(c.claim_id)))
    if not ordered:
        return InterestAccrual(as_of, Fraction(0), ())
    start = ordered[0].due_date + ONE_DAY
    if end < start:
        return InterestAccrual(as_of, Fraction(0), ())
    relevant = sorted((m for m in movements if m.value_date < end), key=lambda m: m.value_date)
    changes = {start, end + ONE_DAY}
    changes.update(c.due_date + ONE_DAY for c in ordered)
    changes.update(c.time_barred_on for c in ordered if c.time_barred_on is not None)
    changes.update(m.value_date + ONE_DAY for m in relevant)
    dates = rates.effective_dates(RateKind.FORSINKELSESRENTE)  # those in [start, end + 1 day]
    changes.update(dates[bisect_left(dates, start) : bisect_right(dates, end + ONE_DAY)])
    for year in range(start.year, end.year + 1):
        changes.add(date(year, 1, 1))
        changes.add(date(year, 7, 1))
    points = sorted(d for d in changes if start <= d <= end + ONE_DAY)

    numerators: dict[int, int] = {}  # year days → Σ principal * scaled rate * days
    periods: list[InterestPeriod] = []
    paid = 0
    moved = 0
    for first, following in itertools.pairwise(points):
        while moved < len(relevant) and relevant[moved].value_date < first:
            paid += relevant[moved].amount_ore
            moved += 1
        principal = _principal_on(ordered, paid, first)
        if principal <= 0:
            continue
        days = (following - first).days
        rate = rates.in_force(RateKind.FORSINKELSESRENTE, first)
        year_days = _year_days(first, day_count)
        numerator = principal * _scaled(rate.value) * days
        numerators[year_days] = numerators.get(year_days, 0) + numerator
        if detail:
            periods.append(
                InterestPeriod(
                    first=first,
                    last=following - ONE_DAY,
                    days=days,
                    principal_ore=principal,
                    rate=rate,
                    year_days=year_days,
                    exact_ore=Fraction(numerator, 100 * RATE_SCALE * year_days),
                    carried_forward=rate.effective_from < half_year_start(first),
                )
            )
    exact = sum((Fraction(n, 100 * RATE_SCALE * yd) for yd, n in numerators.items()), Fraction(0))
    return InterestAccrual(as_of, exact, tuple(periods))
