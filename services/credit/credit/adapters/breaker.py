"""A circuit breaker per bureau: after a run of failures, fail fast for a while.

``closed``: calls go through; ``threshold`` failures in a row open it. ``open``: calls are
refused at once (the caller answers «bureau unavailable» without waiting) until
``cooldown`` has passed; then one trial call goes through (``half-open``): success closes
it, failure opens it again. State is per process, which is what a breaker protects.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class CircuitOpen(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__("circuit open")
        self.retry_after = retry_after


class CircuitBreaker:
    def __init__(
        self,
        threshold: int = 5,
        cooldown_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_out = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown:
            return "half-open"
        return "open"

    def before_call(self) -> None:
        """Raise :class:`CircuitOpen` unless a call may go through now."""
        state = self.state
        if state == "open":
            assert self._opened_at is not None
            raise CircuitOpen(self.cooldown - (self._clock() - self._opened_at))
        if state == "half-open":
            if self._trial_out:
                raise CircuitOpen(self.cooldown)
            self._trial_out = True

    def success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_out = False

    def failure(self) -> None:
        self._failures += 1
        self._trial_out = False
        if self._opened_at is not None or self._failures >= self.threshold:
            self._opened_at = self._clock()
