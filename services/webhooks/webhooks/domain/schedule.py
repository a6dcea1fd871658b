"""When a failed delivery is tried again: a schedule as data, full jitter, ``Retry-After``.

Attempt *n* (1-based) that failed waits a random time between 0 and ``steps[n-1]``
("full jitter": many endpoints failing together do not come back in step); after the last
step the delivery has failed for good (it can be redelivered by hand). The default steps
add up to about six days, so a delivery is given up after about three days on average.
A receiver's ``Retry-After`` is honoured as a lower bound, never beyond ``max_retry_after``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

DEFAULT_STEPS_SECONDS: tuple[float, ...] = (
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
    20 * 3600,
    20 * 3600,
    20 * 3600,
    20 * 3600,
    20 * 3600,
    16 * 3600,
)
"""5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then 20 h steps: ~144 h of ceilings."""


@dataclass(frozen=True)
class RetrySchedule:
    steps: tuple[timedelta, ...]
    max_retry_after: timedelta = timedelta(hours=24)

    @classmethod
    def of_seconds(cls, steps: Sequence[float], max_retry_after: float = 86400) -> RetrySchedule:
        if not steps or any(s <= 0 for s in steps):
            raise ValueError("a retry schedule needs at least one positive step")
        return cls(tuple(timedelta(seconds=s) for s in steps), timedelta(seconds=max_retry_after))

    @property
    def attempts(self) -> int:
        """How many attempts a delivery gets in all (the first and one per step)."""
        return len(self.steps) + 1

    def next_attempt(
        self,
        failed_attempts: int,
        now: datetime,
        *,
        retry_after: timedelta | None = None,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> datetime | None:
        """When to try again after ``failed_attempts`` failures; None: give up."""
        if failed_attempts < 1:
            raise ValueError("failed_attempts counts from 1")
        if failed_attempts > len(self.steps):
            return None
        ceiling = self.steps[failed_attempts - 1].total_seconds()
        wait = timedelta(seconds=uniform(0.0, ceiling))
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return now + wait


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """``Retry-After`` as seconds or an HTTP date (RFC 9110 §10.2.3); None if unusable."""
    if not value:
        return None
    value = value.strip()[:64]
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - now)
