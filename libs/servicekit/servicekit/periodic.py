"""Housekeeping a worker process runs every so often beside its real work."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def every(
    interval: float, stop: asyncio.Event, job: Callable[[], Awaitable[None]], *, failed: str
) -> None:
    """Run ``job`` now and every ``interval`` seconds until ``stop`` is set.

    A failing round never stops the process: it is logged as ``failed`` with the
    exception's type only (no message, which may quote data), and the next round tries
    again.
    """
    while not stop.is_set():
        try:
            await job()
        except Exception as exc:
            log.warning("%s: %s", failed, type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
