"""Forsinkelsesrente: golden worked examples, by hand, with their sources.

Rates (``shared/domain/rates.csv``): 10.75 % from 2023-01-01 (regnskapnorge.no), 11.75 %
from 2023-07-01 (forsinkelsesrente.net), 12.50 % from 2024-01-01 (regjeringen.no) and from
2025-01-01 (lovdata FOR-2024-12-19-3279). Method (forsinkelsesrente.no, citing
Lovavdelingen): simple interest, actual days, 1/365 of the annual rate per day, 1/366 in a
leap year; each half-year's rate for its days. Interest for the days after the due date up
to and including the date asked for; the exact sum rounded once to whole øre.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.domain.case_ledger import CaseFacts, Claim
from ledger.domain.interest import ClaimPrincipal, PrincipalMovement, accrue
from ledger.domain.rates import MissingRate, RateBook

from .rate_fixtures import row, shipped_book

pytestmark = pytest.mark.unit

RATES = shipped_book()
TEN_THOUSAND = 1_000_000  # NOK 10 000 in øre


def claim(due: date, principal: int = TEN_THOUSAND) -> ClaimPrincipal:
    return ClaimPrincipal(uuid.uuid4(), due, principal)


def test_across_a_rate_change_mid_2023() -> None:
    # 46 days (16 May-30 June) at 10.75 % and 92 days (July-September) at 11.75 %:
    # 1 000 000 * (0.1075 * 46 + 0.1175 * 92) / 365 = 15 755 000 / 365 = 43 164.38 øre
    accrual = accrue([claim(date(2023, 5, 15))], [], RATES, date(2023, 9, 30))
    assert accrual.exact_ore == Fraction(15_755_000, 365)
    assert accrual.amount_ore == 43_164  # NOK 431.64
    assert [(p.first, p.last, p.days, p.rate.value) for p in accrual.periods] == [
        (date(2023, 5, 16), date(2023, 6, 30), 46, Decimal("10.75")),
        (date(2023, 7, 1), date(2023, 9, 30), 92, Decimal("11.75")),
    ]


def test_a_leap_year_counts_366_days() -> None:
    # 1 February-1 March 2024 is 30 days (29 in February): 500 000 * 0.125 * 30 / 366
    accrual = accrue([claim(date(2024, 1, 31), 500_000)], [], RATES, date(2024, 3, 1))
    assert accrual.exact_ore == Fraction(1_875_000, 366)
    assert accrual.amount_ore == 5_123  # 5 122.95 rounded up
    assert {p.year_days for p in accrual.periods} == {366}


def test_across_new_year_into_a_leap_year() -> None:
    # 21-31 December 2023: 11 days at 11.75 % / 365; 1-10 January 2024: 10 days at 12.50 % / 366
    accrual = accrue([claim(date(2023, 12, 20))], [], RATES, date(2024, 1, 10))
    assert accrual.exact_ore == Fraction(1_292_500, 365) + Fraction(1_250_000, 366)
    assert accrual.amount_ore == 6_956  # 3 541.10 + 3 415.30 = 6 956.40
    assert [(p.days, p.year_days) for p in accrual.periods] == [(11, 365), (10, 366)]
    flat = accrue([claim(date(2023, 12, 20))], [], RATES, date(2024, 1, 10), day_count="actual/365")
    assert flat.amount_ore == 6_966  # 3 541.10 + 3 424.66: the setting some calculators use


def test_a_partial_payment_stops_interest_on_what_it_paid() -> None:
    # NOK 10 000 due 31 Jan 2025; NOK 4 000 of principal paid with value date 2 March.
    # 1 Feb-2 Mar: 30 days on 1 000 000; 3 Mar-1 Apr: 30 days on 600 000; 12.50 %:
    # (1 000 000 + 600 000) * 0.125 * 30 / 365 = 6 000 000 / 365 = 16 438.36 øre
    accrual = accrue(
        [claim(date(2025, 1, 31))],
        [PrincipalMovement(date(2025, 3, 2), 400_000)],
        RATES,
        date(2025, 4, 1),
    )
    assert accrual.exact_ore == Fraction(6_000_000, 365)
    assert accrual.amount_ore == 16_438
    assert [(p.days, p.principal_ore) for p in accrual.periods] == [
        (30, 1_000_000),
        (30, 600_000),
    ]


def test_payments_cover_the_oldest_claim_first() -> None:
    # Two claims of 500 000: due 1 March and 1 April 2025. 500 000 paid on 10 April covers
    # the March claim; the April claim keeps accruing. As of 30 April, 12.50 %:
    # March claim: 2 Mar-10 Apr = 40 days; April claim: 2-30 Apr = 29 days.
    older, newer = claim(date(2025, 3, 1), 500_000), claim(date(2025, 4, 1), 500_000)
    accrual = accrue(
        [newer, older], [PrincipalMovement(date(2025, 4, 10), 500_000)], RATES, date(2025, 4, 30)
    )
    assert accrual.exact_ore == Fraction(500_000 * 125 * (40 + 29), 1000 * 365)


def test_no_interest_on_the_due_date_or_before() -> None:
    assert accrue([claim(date(2025, 3, 1))], [], RATES, date(2025, 3, 1)).amount_ore == 0
    one_day = accrue([claim(date(2025, 3, 1))], [], RATES, date(2025, 3, 2))
    assert one_day.exact_ore == Fraction(1_000_000 * 125, 1000 * 365)


def test_interest_stops_when_the_case_closes_unpaid() -> None:
    stopped = accrue(
        [claim(date(2025, 1, 31))], [], RATES, date(2025, 6, 30), stop=date(2025, 3, 2)
    )
    assert stopped.exact_ore == Fraction(3_750_000, 365)


def test_a_half_year_without_a_confirmed_rate_carries_the_last_one_and_says_so() -> None:
    # 2025-07-01 (12.25 %) is unconfirmed: the 2025-01-01 rate (12.50 %) is carried forward
    accrual = accrue([claim(date(2025, 6, 30))], [], RATES, date(2025, 7, 10))
    assert [(p.days, p.rate.value, p.carried_forward) for p in accrual.periods] == [
        (10, Decimal("12.5"), True)
    ]


def test_no_rate_at_all_is_an_error_not_zero_interest() -> None:
    with pytest.raises(MissingRate):
        accrue([claim(date(2015, 6, 1))], [], RATES, date(2016, 2, 1))


@settings(max_examples=60, deadline=None)
@given(
    principal=st.integers(1, 10**9),
    due=st.dates(date(2016, 1, 1), date(2025, 6, 1)),
    days=st.integers(0, 900),
    split=st.integers(0, 900),
)
def test_the_total_is_the_sum_of_its_periods(
    principal: int, due: date, days: int, split: int
) -> None:
    """The total is the exact sum of its periods, and never falls as the date moves on."""
    end = due + timedelta(days=days)
    middle = due + timedelta(days=min(split, days))
    c = claim(due, principal)
    whole = accrue([c], [], RATES, end).exact_ore
    first = accrue([c], [], RATES, middle).exact_ore
    periods = accrue([c], [], RATES, end).periods
    assert whole == sum((p.exact_ore for p in periods), Fraction(0))
    assert whole >= first


def test_rates_apply_from_their_own_half_year_only_when_confirmed() -> None:
    book = RateBook([row("forsinkelsesrente", date(2024, 1, 1), "10", id=1)])
    confirmed_later = RateBook(
        [
            row("forsinkelsesrente", date(2024, 1, 1), "10", id=1),
            row("forsinkelsesrente", date(2024, 7, 1), "20", id=2),
        ]
    )
    c = claim(date(2024, 6, 30), 366_000)
    # 1 day of July at 10 % (carried) vs at 20 %: 366 000 * 0.10 / 366 = 100
    assert accrue([c], [], book, date(2024, 7, 1)).amount_ore == 100
    assert accrue([c], [], confirmed_later, date(2024, 7, 1)).amount_ore == 200


# -- a time-barred claim (foreldelsesloven; ADR 0050): no interest from its first barred day


def test_no_interest_on_a_claim_from_the_day_it_is_time_barred() -> None:
    # NOK 10 000 due 31 Jan 2025, time-barred from 1 April 2025 (the cases service said so):
    # interest for 1 Feb-31 Mar = 59 days at 12.50 %: 1 000 000 x 0.125 x 59 / 365
    # = 20 205.48 -> 20 205, and nothing more as of 30 June.
    barred = ClaimPrincipal(uuid.uuid4(), date(2025, 1, 31), TEN_THOUSAND, date(2025, 4, 1))
    accrual = accrue([barred], [], RATES, date(2025, 6, 30))
    assert accrual.exact_ore == Fraction(1_000_000 * 125 * 59, 1000 * 365)
    assert accrual.amount_ore == 20_205
    # the day before the bar still counts; the first barred day does not
    assert accrue([barred], [], RATES, date(2025, 3, 31)).amount_ore == 20_205
    assert accrue([barred], [], RATES, date(2025, 3, 30)).exact_ore == Fraction(
        1_000_000 * 125 * 58, 1000 * 365
    )


def test_a_barred_claim_stops_while_the_other_claims_of_the_case_run_on() -> None:
    # Two claims of NOK 5 000 due 1 and 31 March 2025; the older is time-barred from
    # 11 March. As of 30 April at 12.50 %: older 2-10 March = 9 days, newer 1-30 April
    # = 30 days: 500 000 x 0.125 x 39 / 365 = 6 678.08 -> 6 678.
    older = ClaimPrincipal(uuid.uuid4(), date(2025, 3, 1), 500_000, date(2025, 3, 11))
    newer = ClaimPrincipal(uuid.uuid4(), date(2025, 3, 31), 500_000)
    accrual = accrue([older, newer], [], RATES, date(2025, 4, 30))
    assert accrual.exact_ore == Fraction(500_000 * 125 * 39, 1000 * 365)
    assert accrual.amount_ore == 6_678


def test_a_claim_barred_on_its_day_after_due_carries_no_interest() -> None:
    # a zero-length run: due 1 March, barred from 2 March (an edge, not a real period)
    barred = ClaimPrincipal(uuid.uuid4(), date(2025, 3, 1), TEN_THOUSAND, date(2025, 3, 2))
    assert accrue([barred], [], RATES, date(2025, 12, 31)).amount_ore == 0


@settings(deadline=None)
@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 6, 1)),
    st.integers(min_value=1, max_value=400),
    st.integers(min_value=0, max_value=400),
)
def test_interest_on_a_barred_claim_is_the_interest_to_the_day_before_the_bar(
    due: date, days_to_bar: int, days_after: int
) -> None:
    bar = due + timedelta(days=days_to_bar)
    barred = ClaimPrincipal(uuid.uuid4(), due, TEN_THOUSAND, bar)
    as_of = bar + timedelta(days=days_after)
    expected = accrue([claim(due)], [], RATES, bar - timedelta(days=1))
    assert accrue([barred], [], RATES, as_of).exact_ore == expected.exact_ore


# -- no due date agreed: interest 30 days after the påkrav (forsinkelsesrenteloven § 2) -----


def _claim_after_demand(demand: date) -> ClaimPrincipal:
    """As the ledger builds it from a claim whose påkrav was sent on ``demand``: the date
    30 days later stands for the due date (interest from the day after)."""
    facts = CaseFacts(
        case_id=uuid.uuid4(),
        creditor_id=uuid.uuid4(),
        kid="0000000000",
        debtor_kind="person",
        currency="NOK",
        claims=(
            Claim(
                uuid.uuid4(),
                demand,
                TEN_THOUSAND,
                0,
                interest_due_date=demand + timedelta(days=30),
            ),
        ),
    )
    (principal,) = facts.claim_principals()
    return principal


def test_interest_runs_from_thirty_days_after_the_demand() -> None:
    # påkrav sent 1 March 2025: 30 days have passed on 31 March, interest from 1 April.
    # As of 30 April: 30 days at 12.50 %: 1 000 000 x 0.125 x 30 / 365 = 10 273.97 -> 10 274
    # (from a due date of 1 March it would be 2 Mar-30 Apr, 60 days: 20 547.95 -> 20 548)
    claim_ = _claim_after_demand(date(2025, 3, 1))
    assert claim_.due_date == date(2025, 3, 31)
    assert accrue([claim_], [], RATES, date(2025, 3, 31)).amount_ore == 0  # day 30: none
    assert accrue([claim_], [], RATES, date(2025, 4, 30)).amount_ore == 10_274
    assert accrue([claim(date(2025, 3, 1))], [], RATES, date(2025, 4, 30)).amount_ore == 20_548


def test_a_demand_across_29_february() -> None:
    # påkrav 31 January 2024: 30 days later is 1 March 2024 (February has 29 days), interest
    # from 2 March; as of 31 March: 30 days, 2024 a leap year, 12.50 %:
    # 1 000 000 x 0.125 x 30 / 366 = 10 245.90 -> 10 246
    claim_ = _claim_after_demand(date(2024, 1, 31))
    assert claim_.due_date == date(2024, 3, 1)
    assert accrue([claim_], [], RATES, date(2024, 3, 31)).amount_ore == 10_246


def test_a_demand_whose_thirty_days_end_on_new_years_eve() -> None:
    # påkrav 1 December 2024: 31 December 2024, interest from 1 January 2025; as of
    # 31 January 2025: 31 days at 12.50 % / 365: 1 000 000 x 0.125 x 31 / 365 = 10 616.44
    # -> 10 616
    claim_ = _claim_after_demand(date(2024, 12, 1))
    assert accrue([claim_], [], RATES, date(2024, 12, 31)).amount_ore == 0
    assert accrue([claim_], [], RATES, date(2025, 1, 31)).amount_ore == 10_616
