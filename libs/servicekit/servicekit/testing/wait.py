"""Waiting in tests: poll a condition with a deadline, never a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

PATIENCE = 60.0
"""How long a test waits by default. A wait returns as soon as its condition holds, so
this only bounds a failing test; under a full suite on two cores a quorum queue's delivery
and the handler's commit have taken over 30 s at the slowest. A wait whose bound is what
the test checks names its own."""


async def wait_for(
    condition: Callable[[], Awaitable[T | None]],
    *,
    what: str,
    seconds: float = PATIENCE,
    every: float = 0.1,
    alive: Callable[[], None] | None = None,
) -> T:
    """Poll ``condition`` until it returns something truthy, and return that.

    Fails naming ``what`` after ``seconds``. ``alive`` is called on every round and may
    raise to fail early (for example when a background worker has died).
    """
    deadline = time.monotonic() + seconds
    while True:
        if alive is not None:
            alive()
        result = await condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        await asyncio.sleep(every)
