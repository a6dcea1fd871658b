"""Where a consumer batch spends its database time: CPU per event of each statement style.

    uv run python bench/consumer_costs.py [--batch 128] [--batches 40]

In one transaction per batch of ``--batch`` fresh event ids, against a scratch database
(dropped at the end), this process's CPU time per event of:

- ``inbox.claim``: servicekit's claim, one multi-row ``INSERT .. VALUES (..), (..) ON
  CONFLICT DO NOTHING RETURNING`` built per batch;
- ``claim via unnest``: the same claim as one fixed statement over an array parameter
  (a candidate for ``inbox.claim``; compiled once whatever the batch size);
- ``handler: insert().values()``: one ``session.execute(insert(t).values(...))`` per event,
  the style of the test harness (``bench/messaging.py --handler values``);
- ``handler: prebuilt insert``: one prebuilt ``insert(t)`` with a parameter dict per event
  (``--handler params``);
- ``batch: executemany``: the same rows as one ``session.execute(insert(t), [rows])``,
  what a handler that receives the whole batch could do.

It prints a table; it writes nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

from servicekit import inbox as servicekit_inbox
from servicekit.db import make_engine, make_metadata, make_session_factory
from servicekit.inbox import inbox_table
from servicekit.testing import infra
from sqlalchemy import BigInteger, Column, Integer, Table, Uuid, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

metadata = make_metadata()
inbox = inbox_table(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False),
    Column("seq", Integer, nullable=False),
)
INSERT_EFFECT = insert(effects)
CLAIM_UNNEST = text(
    "INSERT INTO inbox (message_id, handler) SELECT unnest(CAST(:ids AS uuid[])), :handler "
    "ON CONFLICT DO NOTHING RETURNING message_id"
)

Step = Callable[[AsyncSession, list[uuid.UUID]], Awaitable[object]]


async def claim(session: AsyncSession, ids: list[uuid.UUID]) -> object:
    return await servicekit_inbox.claim(session, inbox, "q:key", ids)


async def claim_unnest(session: AsyncSession, ids: list[uuid.UUID]) -> object:
    return set((await session.execute(CLAIM_UNNEST, {"ids": ids, "handler": "q:key"})).scalars())


async def values_per_event(session: AsyncSession, ids: list[uuid.UUID]) -> object:
    for i, event_id in enumerate(ids):
        await session.execute(insert(effects).values(event_id=event_id, seq=i))
    return None


async def prebuilt_per_event(session: AsyncSession, ids: list[uuid.UUID]) -> object:
    for i, event_id in enumerate(ids):
        await session.execute(INSERT_EFFECT, {"event_id": event_id, "seq": i})
    return None


async def executemany(session: AsyncSession, ids: list[uuid.UUID]) -> object:
    return await session.execute(
        INSERT_EFFECT, [{"event_id": event_id, "seq": i} for i, event_id in enumerate(ids)]
    )


STEPS: dict[str, Step] = {
    "inbox.claim": claim,
    "claim via unnest": claim_unnest,
    "handler: insert().values()": values_per_event,
    "handler: prebuilt insert": prebuilt_per_event,
    "batch: executemany": executemany,
}


async def main(batch: int, batches: int, repeats: int) -> None:
    name = f"bench_costs_{uuid.uuid4().hex[:8]}"
    url = await infra.create_database(name)
    engine = make_engine(url, application_name=name)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        factory = make_session_factory(engine)
        results: dict[str, list[float]] = {step: [] for step in STEPS}
        for repeat in range(repeats + 1):  # the first pass warms up and is not counted
            for step_name, step in STEPS.items():
                cpu0 = time.process_time()
                for _ in range(batches):
                    ids = [uuid.uuid4() for _ in range(batch)]
                    async with factory() as session, session.begin():
                        await step(session, ids)
                if repeat:
                    results[step_name].append((time.process_time() - cpu0) / batches / batch)
        print(f"CPU of this process per event, batches of {batch}, median of {repeats}:")
        for step_name, values in results.items():
            print(f"  {step_name:<28} {statistics.median(values) * 1e6:7.1f} µs")
    finally:
        await engine.dispose()
        await infra.drop_database(name)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--batch", type=int, default=128, help="events per transaction")
    p.add_argument("--batches", type=int, default=40, help="transactions per measurement")
    p.add_argument("--repeats", type=int, default=3, help="measurements per statement style")
    args = p.parse_args()
    asyncio.run(main(args.batch, args.batches, args.repeats))
