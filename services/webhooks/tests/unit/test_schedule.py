"""The back-off schedule: full jitter below each step, Retry-After, about three days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from webhooks.domain.schedule import DEFAULT_STEPS_SECONDS, RetrySchedule, parse_retry_after

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_each_wait_is_between_zero_and_its_step() -> None:
    schedule = RetrySchedule.of_seconds([5, 300, 1800])
    assert schedule.next_attempt(1, NOW, uniform=lambda lo, hi: hi) == NOW + timedelta(seconds=5)
    assert schedule.next_attempt(2, NOW, uniform=lambda lo, hi: hi) == NOW + timedelta(minutes=5)
    assert schedule.next_attempt(3, NOW, uniform=lambda lo, hi: lo) == NOW
    for _ in range(200):
        at = schedule.next_attempt(2, NOW)
        assert at is not None
        assert NOW <= at <= NOW + timedelta(minutes=5)


def test_after_the_last_step_the_delivery_is_given_up() -> None:
    schedule = RetrySchedule.of_seconds([5, 300])
    assert schedule.attempts == 3
    assert schedule.next_attempt(2, NOW) is not None
    assert schedule.next_attempt(3, NOW) is None


def test_the_default_schedule_gives_up_after_about_three_days_on_average() -> None:
    schedule = RetrySchedule.of_seconds(DEFAULT_STEPS_SECONDS)
    mean = sum(s.total_seconds() for s in schedule.steps) / 2
    assert timedelta(days=2.5) < timedelta(seconds=mean) < timedelta(days=3.5)
    assert schedule.steps[0] == timedelta(seconds=5)


def test_retry_after_is_a_lower_bound_capped_by_the_maximum() -> None:
    schedule = RetrySchedule.of_seconds([5], max_retry_after=3600)
    low = schedule.next_attempt(1, NOW, retry_after=timedelta(seconds=120))
    assert low == NOW + timedelta(seconds=120)
    capped = schedule.next_attempt(1, NOW, retry_after=timedelta(days=9))
    assert capped == NOW + timedelta(hours=1)


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after("120", NOW) == timedelta(seconds=120)
    assert parse_retry_after("Sun, 06 Dec 2026 12:10:00 GMT", NOW) == timedelta(minutes=10)
    assert parse_retry_after("Sun, 06 Dec 2026 11:00:00 GMT", NOW) == timedelta(0)
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_a_schedule_needs_positive_steps() -> None:
    with pytest.raises(ValueError, match="positive"):
        RetrySchedule.of_seconds([])
    with pytest.raises(ValueError, match="positive"):
        RetrySchedule.of_seconds([5, 0])
