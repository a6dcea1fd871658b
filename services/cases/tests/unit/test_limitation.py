"""Limitation (foreldelse): interruptions and warnings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cases.domain import limitation as lim
from cases.domain.rules import RuleSet
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.unit

RULES = RuleSet(name="test-rules", effective_from=date(2020, 10, 1))


def test_three_years_from_the_due_date() -> None:
    assert lim.limitation_date(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert lim.limitation_date(date(2026, 3, 19), 3) == date(2029, 3, 19)


@pytest.mark.parametrize(
    ("interruption", "expected"),
    [
        ("acknowledgement", date(2029, 6, 1)),
        ("part_payment", date(2029, 6, 1)),
        ("forliksklage", date(2029, 6, 1)),
        ("utlegg", date(2029, 6, 1)),
        ("judgment", date(2036, 6, 1)),
    ],
)
def test_an_interruption_starts_a_new_period_from_that_day(
    interruption: lim.Interruption, expected: date
) -> None:
    assert lim.after_interruption(date(2027, 1, 10), interruption, date(2026, 6, 1), RULES) == (
        expected
    )


def test_an_interruption_never_shortens_the_time_left() -> None:
    loan = lim.limitation_date(date(2025, 1, 1), RULES.limitation_years_loan)
    assert lim.after_interruption(loan, "acknowledgement", date(2026, 1, 1), RULES) == loan
    assert lim.after_interruption(
        loan, "acknowledgement", date(2026, 1, 1), RULES, basis="loan"
    ) == date(2036, 1, 1)


def test_warning_levels_and_their_dates() -> None:
    ends = date(2026, 12, 31)
    assert lim.warning_level(ends, date(2026, 10, 1), RULES) is None
    assert lim.warning_level(ends, date(2026, 10, 2), RULES) == "90d"
    assert lim.warning_level(ends, date(2026, 12, 1), RULES) == "30d"
    assert lim.warning_level(ends, ends, RULES) == "expired"
    assert lim.next_check(ends, date(2026, 6, 1), RULES) == date(2026, 10, 2)
    assert lim.next_check(ends, date(2026, 10, 2), RULES) == date(2026, 12, 1)
    assert lim.next_check(ends, date(2026, 12, 1), RULES) == ends
    assert lim.next_check(ends, ends, RULES) is None


def test_new_warnings_only_rise() -> None:
    today = date(2026, 12, 5)
    claims = [
        (0, date(2026, 12, 31), None),  # 26 days: 30d
        (1, date(2026, 12, 31), "30d"),  # warned already
        (2, date(2027, 2, 1), None),  # 58 days: 90d
        (3, date(2026, 12, 1), "30d"),  # expired
        (4, date(2028, 1, 1), None),  # far off
    ]
    found = lim.new_warnings(claims, today, RULES)
    assert [(w.position, w.previous, w.level) for w in found] == [
        (0, None, "30d"),
        (2, None, "90d"),
        (3, "30d", "expired"),
    ]


@settings(deadline=None)  # no timing in tests
@given(
    st.dates(min_value=date(2021, 1, 1), max_value=date(2040, 1, 1)),
    st.integers(min_value=0, max_value=2000),
)
def test_the_level_does_not_rise_before_the_next_check(today: date, days_left: int) -> None:
    ends = today + timedelta(days=days_left)
    level = lim.warning_level(ends, today, RULES)
    check = lim.next_check(ends, today, RULES)
    if check is None:
        assert level == "expired"
        return
    assert check > today
    assert lim.warning_level(ends, check - timedelta(days=1), RULES) == level
    assert lim.level_rank(lim.warning_level(ends, check, RULES)) > lim.level_rank(level)
