"""The case list's export (ADR 0055): rows per second and peak memory of the streamed CSV
and XLSX, against baselines in the same script on the same data.

    uv run --no-sync python bench/cases_export.py [--cases 100000] [--creditors 1]
                                                  [--no-save]

Loads ``--cases`` cases into a scratch database migrated with the cases service's own
Alembic history (``bench/cases_queries.py``'s loader), then runs, each in a fresh process
(peak RSS is ``ru_maxrss``), over one creditor's whole list in balance order:

- ``cursor only``: the export's query read through the server-side cursor in chunks of
  1,000 and thrown away (the floor: what the database and driver cost; run once before,
  unreported, to warm the cache);
- ``load all, then CSV``: the naive export, every row fetched into memory first, then
  written as CSV (the memory baseline: it grows with the rows);
- ``csv`` and ``xlsx``: ``cases.adapters.case_export`` fed by the cursor, as the API does
  (the audit log's writes are left out).

Results: a table on stdout; ``--no-save`` skips the JSON in ``bench/results/``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import resource
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases_queries import ADMIN_DSN, ROOT, load

CHUNK = 1000
VARIANTS = ("cursor only", "load all, then CSV", "csv", "xlsx")


def _run(variant: str, url: str, creditor: uuid.UUID, out: Any) -> None:
    from cases import views
    from cases.adapters import case_export
    from servicekit.db import make_engine, make_session_factory

    async def main() -> tuple[int, int]:
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        query = views.export_query(creditor, views.CaseFilter(), sort="balance", order="desc")
        rows_seen = 0

        async def chunks() -> AsyncIterator[Sequence[dict[str, Any]]]:
            nonlocal rows_seen
            async with sessions() as session:
                result = await session.stream(query.execution_options(yield_per=CHUNK))
                async for partition in result.mappings().partitions(CHUNK):
                    rows = [dict(r) for r in partition]
                    rows_seen += len(rows)
                    yield rows

        size = 0
        try:
            if variant == "cursor only":
                async for _ in chunks():
                    pass
            elif variant == "load all, then CSV":
                async with sessions() as session:
                    everything = [dict(r) for r in (await session.execute(query)).mappings()]
                rows_seen = len(everything)

                async def at_once() -> AsyncIterator[Sequence[dict[str, Any]]]:
                    yield everything

                async for data in case_export.csv_stream(at_once(), "nb"):
                    size += len(data)
            else:
                writer = case_export.xlsx_stream if variant == "xlsx" else case_export.csv_stream
                async for data in writer(chunks(), "nb"):
                    size += len(data)
        finally:
            await engine.dispose()
        return rows_seen, size

    started = time.perf_counter()
    rows, size = asyncio.run(main())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put(
        {"variant": variant, "rows": rows, "seconds": seconds, "peak_mb": peak_mb, "bytes": size}
    )


def measure(url: str, creditor: uuid.UUID) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    results = []
    for variant in ("cursor only", *VARIANTS):  # the first run warms the cache, unreported
        out = context.Queue()
        process = context.Process(target=_run, args=(variant, url, creditor, out))
        process.start()
        results.append(out.get())
        process.join()
    return results[1:]


async def _scratch(args: argparse.Namespace) -> list[dict[str, Any]]:
    name = f"bench_export_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        migrate = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "alembic", "upgrade", "head"),
            cwd=ROOT / "services" / "cases",
            env={**os.environ, "CASES_DATABASE_URL": url},
        )
        if await migrate.wait() != 0:
            raise SystemExit("migrating the scratch database failed")
        creditors = await load(dsn, args.cases, args.creditors)
        connection = await asyncpg.connect(dsn)
        await connection.execute("ANALYZE cases")
        await connection.close()
        return await asyncio.to_thread(measure, url, creditors[0])
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--creditors", type=int, default=1)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    results = asyncio.run(_scratch(args))
    load_after = os.getloadavg()
    base = results[0]
    print(f"machine nproc {os.cpu_count()}, load {load_before} → {load_after}")
    print(f"{'variant':<20} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'file MB':>8}")
    for r in results:
        r["rows_per_second"] = r["rows"] / r["seconds"] if r["seconds"] else 0.0
        r["seconds_vs_cursor"] = r["seconds"] / base["seconds"]
        print(
            f"{r['variant']:<20} {r['rows']:>9,} {r['seconds']:>8.1f} "
            f"{r['rows_per_second']:>9,.0f} {r['peak_mb']:>8.0f} {r['bytes'] / 1e6:>8.1f}"
        )
    if not args.no_save:
        out = ROOT / "bench" / "results" / f"cases_export-{datetime.now(UTC):%Y-%m-%d-%H%M}.json"
        out.write_text(
            json.dumps(
                {
                    "cases": args.cases,
                    "creditors": args.creditors,
                    "load_before": load_before,
                    "load_after": load_after,
                    "machine": platform.platform(),
                    "results": results,
                },
                indent=2,
            )
        )
        print(f"JSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
