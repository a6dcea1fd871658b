"""The worker heartbeat and its probe (``python -m servicekit.heartbeat``)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from servicekit import heartbeat
from servicekit.testing.wait import wait_for


async def test_beat_touches_the_file_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "alive"
    stop = asyncio.Event()
    task = asyncio.create_task(heartbeat.beat(path, stop, interval=0.01))

    async def exists() -> bool:
        return path.exists()

    await wait_for(exists, what="the first heartbeat", seconds=5)
    old = time.time() - 600
    os.utime(path, (old, old))

    async def touched_again() -> bool:
        return path.stat().st_mtime > old

    await wait_for(touched_again, what="the next heartbeat", seconds=5)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert task.done()


def test_probe_fails_without_the_file(tmp_path: Path) -> None:
    assert heartbeat.main([str(tmp_path / "missing")]) == 1


def test_probe_passes_on_a_fresh_file_and_fails_on_a_stale_one(tmp_path: Path) -> None:
    path = tmp_path / "alive"
    heartbeat.touch(path)
    assert heartbeat.main([str(path), "--max-age", "60"]) == 0
    stale = time.time() - 61
    os.utime(path, (stale, stale))
    assert heartbeat.main([str(path), "--max-age", "60"]) == 1
    assert heartbeat.is_fresh(path, 60, now=stale + 30)
