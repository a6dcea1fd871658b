"""A worker's liveness, for processes without an HTTP port (relay, consumer, scheduler …).

``run_worker`` touches ``<SVC>_HEARTBEAT_FILE`` every few seconds from the process's event
loop; Kubernetes' exec probe ``python -m servicekit.heartbeat <file> --max-age 60`` fails
when the file is missing or older than that, so a process whose loop is blocked or stuck
is restarted. Unset (the local stack), nothing is written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path

INTERVAL_SECONDS = 5.0


def touch(path: Path) -> None:
    """Mark the process alive now."""
    path.touch(exist_ok=True)


async def beat(path: Path, stop: asyncio.Event, interval: float = INTERVAL_SECONDS) -> None:
    """Touch ``path`` every ``interval`` seconds until ``stop`` is set."""
    while not stop.is_set():
        touch(path)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


def is_fresh(path: Path, max_age: float, now: float | None = None) -> bool:
    """Whether ``path`` exists and was touched within ``max_age`` seconds."""
    try:
        touched = path.stat().st_mtime
    except FileNotFoundError:
        return False
    return (time.time() if now is None else now) - touched <= max_age


def main(argv: list[str] | None = None) -> int:
    """The probe: exit 0 when the heartbeat is fresh, 1 when not."""
    parser = argparse.ArgumentParser(prog="python -m servicekit.heartbeat")
    parser.add_argument("file", type=Path)
    parser.add_argument("--max-age", type=float, default=60.0, help="seconds")
    args = parser.parse_args(argv)
    return 0 if is_fresh(args.file, args.max_age) else 1


if __name__ == "__main__":
    sys.exit(main())
