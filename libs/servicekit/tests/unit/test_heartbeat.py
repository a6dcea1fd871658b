"""The worker heartbeat and its probe (``python -m servicekit.heartbeat``)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from servicekit import heartbeat
from servicekit.testing.wait import wait_for

pytestmark = pytest.mark.unit  # no PostgreSQL or RabbitMQ: files and a child process


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


WORKER = """
import asyncio, sys
from types import SimpleNamespace
from servicekit.service import run_worker

class Service:  # what run_worker uses of a Service
    settings = SimpleNamespace(heartbeat_file=sys.argv[1], metrics_port=None)
    def setup_observability(self, process): pass
    async def close(self): print("closed", flush=True)

async def work(stop: asyncio.Event) -> None:
    await stop.wait()

run_worker(Service(), "test-worker", work)
"""


async def test_run_worker_beats_while_it_runs_and_stops_on_sigterm(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER, str(path), stdout=asyncio.subprocess.PIPE
    )

    def running() -> None:
        assert process.returncode is None, "the worker died"

    async def beating() -> bool:
        return heartbeat.is_fresh(path, max_age=60)

    await wait_for(beating, what="the worker's heartbeat", seconds=30, alive=running)
    process.send_signal(signal.SIGTERM)
    out, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert out.decode().strip() == "closed"
