"""The relay's wake-up: ``NOTIFY`` inside the event's transaction or after its commit.

    uv run python bench/outbox_wakeup.py [--writers 50] [--transactions 40] [--rounds 3]

A scratch database with a service's outbox table and a relay's ``LISTEN outbox``
connection. ``--writers`` sessions at once each commit ``--transactions`` units of work
of one outbox event (SQLAlchemy sessions from ``servicekit.db``, as the services'), two
ways, alternated round by round in this process:

- ``in the transaction`` (the baseline: the code before ADR 0073): the row and
  ``pg_notify('outbox', '')`` in one statement, so the commit takes PostgreSQL's
  cluster-wide notify lock and holds it through its WAL flush;
- ``after the commit`` (ADR 0073, ``servicekit.outbox.add_to_outbox``): the row in the
  transaction; once committed, ``RelayWaker`` sends ``NOTIFY`` in a transaction of its own,
  one at a time, later wake-ups folded into one more.

Per way: units of work per second, each one's latency (begin to commit returned) at p50
and p99, the notifications the listener heard, and the ratio of the two. Results: a table
on stdout, ``bench/results/outbox_wakeup-<date>.json`` and a section in
``bench/RESULTS.md`` (``--no-save`` skips both).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from contracts import Envelope, EventData
from servicekit.db import make_engine, make_metadata, make_session_factory, sync_url
from servicekit.outbox import NOTIFY_CHANNEL, add_to_outbox, outbox_table, relay_waker
from servicekit.testing import infra
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


class Written(EventData):
    """The bench's event: unit of work ``seq`` was written."""

    event_type = "bench.unit.written"
    seq: int


metadata = make_metadata()
outbox = outbox_table(metadata)
WAYS = ("in the transaction", "after the commit")


async def in_the_transaction(session: AsyncSession, envelope: Envelope) -> None:
    """The baseline: the row and the wake-up in one statement, inside the transaction."""
    row = {
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "routing_key": envelope.routing_key,
        "body": envelope.model_dump_json(),
        "trace_headers": {},
    }
    added = insert(outbox).values([row]).cte("added")
    await session.execute(select(func.pg_notify(NOTIFY_CHANNEL, "")).add_cte(added))


async def after_the_commit(session: AsyncSession, envelope: Envelope) -> None:
    await add_to_outbox(session, outbox, [envelope])


async def writer(
    sessions: async_sessionmaker[AsyncSession], way: str, transactions: int, latencies: list[float]
) -> None:
    write = in_the_transaction if way == WAYS[0] else after_the_commit
    for seq in range(transactions):
        started = time.perf_counter()
        async with sessions() as session, session.begin():
            await write(session, Envelope.wrap(Written(seq=seq)))
        latencies.append(time.perf_counter() - started)


async def one_round(
    engine: AsyncEngine, url: str, way: str, writers: int, transactions: int
) -> dict[str, float]:
    sessions = make_session_factory(engine)
    heard: list[str] = []
    ended = asyncio.Event()

    def hear(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload == "end":
            ended.set()
        else:
            heard.append(payload)

    listener = await asyncpg.connect(sync_url(url))
    await listener.add_listener(NOTIFY_CHANNEL, hear)
    latencies: list[float] = []
    try:
        started = time.perf_counter()
        await asyncio.gather(
            *(writer(sessions, way, transactions, latencies) for _ in range(writers))
        )
        elapsed = time.perf_counter() - started
        await relay_waker(engine).drain()
        await listener.execute(f"NOTIFY {NOTIFY_CHANNEL}, 'end'")  # heard after every other
        await asyncio.wait_for(ended.wait(), timeout=60)
    finally:
        await listener.close()
    latencies.sort()
    return {
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "notifications": len(heard),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    infra.check_infrastructure()
    name = f"bench_wake_{uuid.uuid4().hex[:8]}"
    url = await infra.create_database(name)
    engine = make_engine(url, pool_size=args.writers)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        rounds: dict[str, list[dict[str, float]]] = {way: [] for way in WAYS}
        for _ in range(args.rounds):
            for way in WAYS:
                rounds[way].append(
                    await one_round(engine, url, way, args.writers, args.transactions)
                )
    finally:
        await engine.dispose()
        await infra.drop_database(name)
    return {
        way: {k: statistics.median(r[k] for r in results) for k in results[0]}
        for way, results in rounds.items()
    } | {"rounds": rounds}


def table(result: dict[str, Any], args: argparse.Namespace) -> str:
    base, new = (result[way] for way in WAYS)
    lines = [
        f"{'NOTIFY':<22}{'units/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'notifications':>15}",
        *(
            f"{way:<22}{r['per_second']:>10.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}"
            f"{r['notifications']:>15.0f}"
            for way, r in ((w, result[w]) for w in WAYS)
        ),
        f"{'after / in':<22}{new['per_second'] / base['per_second']:>10.2f}"
        f"{new['p50_ms'] / base['p50_ms']:>10.2f}{new['p99_ms'] / base['p99_ms']:>10.2f}",
    ]
    total = args.writers * args.transactions
    return (
        f"{args.writers} writers x {args.transactions} units of work ({total} a round), "
        f"median of {args.rounds} alternated rounds\n\n" + "\n".join(lines)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--transactions", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    text = table(result, args)
    print(text)
    if args.no_save:
        return
    now = datetime.now(UTC)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    out = BENCH_DIR / "results" / f"outbox_wakeup-{now:%Y-%m-%d-%H%M%S}.json"
    out.write_text(json.dumps({"args": vars(args), "commit": commit, **result}, indent=2))
    with (BENCH_DIR / "RESULTS.md").open("a") as results:
        results.write(
            f"\n## outbox wake-up, {now:%Y-%m-%d %H:%M} UTC\n\n"
            f"`uv run python bench/outbox_wakeup.py --writers {args.writers} --transactions "
            f"{args.transactions} --rounds {args.rounds}` — commit {commit}.\n\n"
            f"```\n{text}\n```\nJSON: `bench/results/{out.name}`.\n"
        )


if __name__ == "__main__":
    main()
