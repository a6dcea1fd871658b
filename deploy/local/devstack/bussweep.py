"""Sweep the broker of test namespaces that killed test runs left behind.

A test stack deletes its own queues when it stops (:mod:`devstack.buscleanup`); a run that
was killed cannot. Hundreds of such idle quorum queues once made the shared RabbitMQ stop
answering. ``make test`` therefore runs ``python -m devstack.bussweep mark`` before its
checks and ``python -m devstack.bussweep sweep`` after them: a test namespace (``t…`` or
``e2e…``) whose queues had no consumer at the mark and still have none at the sweep, at
least :data:`MIN_AGE` seconds later, is deleted (queues and exchanges). A live stack always
has consumers, and the service namespaces of ``make up`` are never touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

MIN_AGE = 30.0
MARKS = Path("var/bussweep.json")
_TEST_NAMESPACE = re.compile(r"^((?:t[0-9a-f]{8}|e2e[0-9a-f]{8})[0-9a-z]*)\.")


def _rabbitmqctl(*args: str) -> list[list[str]]:
    tool = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    if not Path(tool).exists():
        return []
    done = subprocess.run(  # noqa: S603 (rabbitmqctl with our own arguments)
        [tool, "-q", *args], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        return []
    return [line.split("\t") for line in done.stdout.splitlines() if line.strip()]


def idle_namespaces(prefix: str = "") -> dict[str, list[str]]:
    """Test namespaces (those starting with ``prefix``) none of whose queues has a
    consumer, with their queues."""
    queues: dict[str, list[str]] = defaultdict(list)
    busy: set[str] = set()
    for row in _rabbitmqctl("list_queues", "name", "consumers"):
        if len(row) != 2 or not (found := _TEST_NAMESPACE.match(row[0])):
            continue
        namespace = found.group(1)
        if not namespace.startswith(prefix):
            continue
        queues[namespace].append(row[0])
        if row[1].strip() not in ("", "0"):
            busy.add(namespace)
    return {name: names for name, names in queues.items() if name not in busy}


def mark(marks: Path = MARKS, prefix: str = "") -> int:
    """Note which test namespaces (starting with ``prefix``) are idle now."""
    marks.parent.mkdir(parents=True, exist_ok=True)
    marks.write_text(json.dumps({"at": time.time(), "idle": sorted(idle_namespaces(prefix))}))
    return 0


async def _delete(queues: list[str], exchanges: list[str]) -> None:
    import aio_pika

    url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for queue in queues:
            await channel.queue_delete(queue)
        for exchange in exchanges:
            await channel.exchange_delete(exchange)


def sweep(marks: Path = MARKS, min_age: float = MIN_AGE, prefix: str = "") -> int:
    """Delete the namespaces (starting with ``prefix``) idle at the mark and still idle
    now, ``min_age`` later."""
    if not marks.exists():
        return 0
    marked = json.loads(marks.read_text())
    marks.unlink()
    if time.time() - float(marked["at"]) < min_age:
        return 0
    still_idle = idle_namespaces(prefix)
    stale = set(marked["idle"]) & set(still_idle)
    if not stale:
        return 0
    queues = [queue for name in sorted(stale) for queue in still_idle[name]]
    exchanges = [
        row[0]
        for row in _rabbitmqctl("list_exchanges", "name")
        if row and (found := _TEST_NAMESPACE.match(row[0])) and found.group(1) in stale
    ]
    asyncio.run(_delete(queues, exchanges))
    print(f"bussweep: deleted {len(stale)} stale test namespaces ({len(queues)} queues)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["mark"]:
        return mark()
    if args == ["sweep"]:
        return sweep()
    print("usage: python -m devstack.bussweep mark|sweep", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
