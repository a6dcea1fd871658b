"""Login throttling: per account and per client address, progressive and temporary.

Counting starts over after a quiet hour. From the fifth failure on one account the account
locks for 30 s, doubling with each further failure up to 15 minutes; a client address
locks for 15 minutes after 30 failures. Locks are temporary so an attacker cannot lock a
user out for good (ASVS 6.1.1), and a lock applies to any name typed, so the answer never
tells whether an account exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

QUIET_PERIOD = timedelta(hours=1)
ACCOUNT_FREE_FAILURES = 4
ACCOUNT_FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)
ADDRESS_FREE_FAILURES = 30

RESET_MAIL_WINDOW = timedelta(hours=24)
RESET_MAILS_PER_WINDOW = 5
"""At most this many password-reset mails go to one account per window, whatever the
request throttle allows (it forgives after a quiet hour; a mailbox should not fill up)."""


@dataclass(frozen=True)
class ThrottleState:
    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def locked_for(self, now: datetime) -> int:
        """Seconds still locked (0 when not locked)."""
        if self.locked_until is None or self.locked_until <= now:
            return 0
        return int((self.locked_until - now).total_seconds()) + 1


def after_failure(state: ThrottleState, now: datetime, *, per_account: bool) -> ThrottleState:
    """The state after one more failure."""
    fresh = state.last_failure_at is None or now - state.last_failure_at > QUIET_PERIOD
    failures = 1 if fresh else state.failures + 1
    locked_until = state.locked_until
    if per_account and failures > ACCOUNT_FREE_FAILURES:
        doublings = min(failures - ACCOUNT_FREE_FAILURES - 1, 10)
        lock = min(ACCOUNT_FIRST_LOCK * 2**doublings, MAX_LOCK)
        locked_until = now + lock
    elif not per_account and failures > ADDRESS_FREE_FAILURES:
        locked_until = now + MAX_LOCK
    return ThrottleState(failures=failures, last_failure_at=now, locked_until=locked_until)


def after_reset_mail(state: ThrottleState, now: datetime) -> ThrottleState:
    """The state after one more reset mail to an account.

    ``failures`` counts the mails of the current window, ``last_failure_at`` is when that
    window opened; once :data:`RESET_MAILS_PER_WINDOW` have gone, the account is locked
    (no more mails) until the window closes.
    """
    window_open = (
        state.last_failure_at is not None and now - state.last_failure_at < RESET_MAIL_WINDOW
    )
    opened = state.last_failure_at if window_open and state.last_failure_at else now
    sent = state.failures + 1 if window_open else 1
    locked_until = opened + RESET_MAIL_WINDOW if sent >= RESET_MAILS_PER_WINDOW else None
    return ThrottleState(failures=sent, last_failure_at=opened, locked_until=locked_until)
