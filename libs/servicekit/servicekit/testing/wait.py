"""Waiting in tests: poll a condition with a deadline, never a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_for(
    condition: Callable[[], Awaitable[T | None]],
    *,
    what: str,
    seconds: float = 30.0,
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
