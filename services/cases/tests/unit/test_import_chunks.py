"""The order in which an importer's chunks in flight write: a chunk waits for an earlier
one only where the two could wait on each other in the database."""

from __future__ import annotations

import asyncio

import pytest
from cases.service_layer.imports import _InFlight

pytestmark = pytest.mark.unit


def _chunk(references: set[str], previous: _InFlight | None = None) -> _InFlight:
    chunk = _InFlight(frozenset(references), previous)
    chunk.task = asyncio.ensure_future(asyncio.Event().wait())  # in flight until cancelled
    return chunk


async def _waits(waiting: asyncio.Task[None]) -> bool:
    await asyncio.sleep(0.05)
    return not waiting.done()


async def test_a_chunk_waits_for_every_earlier_chunk_in_flight_that_holds_its_references() -> None:
    first = _chunk({"R-1", "R-2"})
    second = _chunk({"R-3"}, first)
    tasks = [first.task, second.task]
    try:
        # a third chunk asks the second: R-2 is the first's, two chunks back
        waiting = asyncio.ensure_future(second.before_cases(["R-2", "R-9"]))
        assert await _waits(waiting)
        first.registered.set()
        await asyncio.wait_for(waiting, timeout=5)
        # with nothing in common it writes at once; the batch's counts come in order
        await asyncio.wait_for(second.before_cases(["R-9"]), timeout=5)
        counting = asyncio.ensure_future(second.before_batch())
        assert await _waits(counting)
        second.registered.set()
        await asyncio.wait_for(counting, timeout=5)
    finally:
        for task in tasks:
            assert task is not None
            task.cancel()


async def test_a_chunk_that_failed_makes_the_next_one_fail_not_wait() -> None:
    first = _chunk({"R-1"})
    assert first.task is not None
    first.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(first.before_cases(["R-1"]), timeout=5)
