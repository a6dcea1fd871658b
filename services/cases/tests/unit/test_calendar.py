"""The Norwegian business calendar: holidays of 2026 and 2027, rolling, deadline arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cases.domain.calendar import (
    add_days,
    add_months,
    easter_sunday,
    is_business_day,
    next_business_day,
    public_holidays,
)
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.unit

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2250, 12, 31))


def test_the_2026_holidays() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert sorted(public_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 4, 2),  # skjærtorsdag
        date(2026, 4, 3),  # langfredag
        date(2026, 4, 5),
        date(2026, 4, 6),  # andre påskedag
        date(2026, 5, 1),
        date(2026, 5, 14),  # Kristi himmelfartsdag
        date(2026, 5, 17),
        date(2026, 5, 24),
        date(2026, 5, 25),  # andre pinsedag
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]


def test_the_2027_holidays() -> None:
    assert easter_sunday(2027) == date(2027, 3, 28)
    holidays = public_holidays(2027)
    assert holidays[date(2027, 3, 25)] == "Skjærtorsdag"
    assert holidays[date(2027, 3, 26)] == "Langfredag"
    assert holidays[date(2027, 3, 29)] == "Andre påskedag"
    assert holidays[date(2027, 5, 6)] == "Kristi himmelfartsdag"
    # andre pinsedag falls on 17 May: one day off, both names
    assert holidays[date(2027, 5, 17)] == "Grunnlovsdag (17. mai) / Andre pinsedag"
    assert holidays[date(2027, 5, 16)] == "Første pinsedag"
    assert len(holidays) == 11


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, date(2000, 4, 23)),
        (2008, date(2008, 3, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_known_dates(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_christmas_eve_and_new_years_eve_are_ordinary_days() -> None:
    assert is_business_day(date(2026, 12, 24))  # a Thursday
    assert is_business_day(date(2026, 12, 31))


@pytest.mark.parametrize(
    ("day", "rolled"),
    [
        (date(2026, 4, 2), date(2026, 4, 7)),  # skjærtorsdag → the Tuesday after Easter
        (date(2026, 4, 4), date(2026, 4, 7)),  # Easter Saturday
        (date(2026, 5, 16), date(2026, 5, 18)),  # Saturday before 17 May (a Sunday)
        (date(2026, 5, 23), date(2026, 5, 26)),  # Whit weekend and Whit Monday
        (date(2026, 12, 25), date(2026, 12, 28)),  # Friday Christmas Day
        (date(2027, 1, 1), date(2027, 1, 4)),  # Friday New Year's Day
        (date(2027, 3, 25), date(2027, 3, 30)),  # Easter 2027
        (date(2026, 6, 10), date(2026, 6, 10)),  # an ordinary Wednesday
    ],
)
def test_rolling_to_the_next_business_day(day: date, rolled: date) -> None:
    assert next_business_day(day) == rolled


def test_a_fourteen_day_deadline_over_easter_2026() -> None:
    """Sent on Thursday 19 March, a 14-day deadline is Thursday 2 April, skjærtorsdag:
    it rolls past Good Friday, Easter and andre påskedag to Tuesday 7 April."""
    assert add_days(date(2026, 3, 19), 14, roll=False) == date(2026, 4, 2)
    assert add_days(date(2026, 3, 19), 14, roll=True) == date(2026, 4, 7)


def test_add_months_keeps_the_day_or_takes_the_last() -> None:
    assert add_months(date(2026, 3, 15), 6) == date(2026, 9, 15)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)


@settings(deadline=None)  # no timing in tests
@given(days)
def test_rolling_lands_on_a_business_day_and_skips_none(day: date) -> None:
    rolled = next_business_day(day)
    assert is_business_day(rolled)
    assert rolled >= day
    assert (rolled - day).days <= 5  # the longest closed stretch is Easter (Thu-Mon)
    between = [day + timedelta(days=i) for i in range((rolled - day).days)]
    assert not any(is_business_day(d) for d in between)


@settings(deadline=None)  # no timing in tests
@given(days)
def test_rolling_is_idempotent(day: date) -> None:
    assert next_business_day(next_business_day(day)) == next_business_day(day)


@settings(deadline=None)  # no timing in tests
@given(days, st.integers(min_value=1, max_value=60), st.booleans())
def test_a_deadline_is_at_least_the_minimum_days(start: date, n: int, roll: bool) -> None:
    deadline = add_days(start, n, roll=roll)
    assert deadline >= start + timedelta(days=n)
    if roll:
        assert is_business_day(deadline)
        assert deadline == next_business_day(start + timedelta(days=n))
    else:
        assert deadline == start + timedelta(days=n)


@settings(deadline=None)  # no timing in tests
@given(st.integers(min_value=1900, max_value=2299))
def test_easter_is_a_sunday_between_22_march_and_25_april(year: int) -> None:
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)
    assert len(public_holidays(year)) in (11, 12)  # 17 May may be Ascension or Whit Monday


@settings(deadline=None)  # no timing in tests
@given(days, st.integers(min_value=-24, max_value=120))
def test_add_months(start: date, months: int) -> None:
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day == start.day or (end.day < start.day and (end + timedelta(days=1)).day == 1)
