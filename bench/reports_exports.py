"""Report exports: seconds and peak memory of N rows of the case list (saksliste) written
as XLSX (XlsxWriter constant_memory) and CSV by ``reports.adapters.exports``, rows made in
memory in chunks of 2,000 as the server-side cursor hands them over (no database).

    uv run --no-sync python bench/reports_exports.py --rows 100000
    uv run --no-sync python bench/reports_exports.py --rows 1000000   # the issue's aim: < 300 MB

Each format runs in a fresh process; peak RSS is ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import time
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any


async def _rows(n: int) -> AsyncIterator[Sequence[Sequence[Any]]]:
    chunk: list[tuple[Any, ...]] = []
    for i in range(n):
        chunk.append((
            f"{100000 + i}", f"F-2026-{i:07d}", f"Skyldner nummer {i}", "person", "notice_sent",
            date(2026, 1, 1 + i % 28), date(2025, 12, 1 + i % 28), 100_000 + i, 90_000 + i,
            97_100 + i, None, "",
        ))  # fmt: skip
        if len(chunk) == 2000:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run(fmt: str, n: int, out: Any) -> None:
    from reports.adapters.exports import csv_stream, xlsx_stream
    from reports.domain.catalogue import CATALOGUE

    columns = CATALOGUE["saksliste"].columns
    writer = xlsx_stream if fmt == "xlsx" else csv_stream

    async def main() -> int:
        size = 0
        async for data in writer(columns, _rows(n)):
            size += len(data)
        return size

    started = time.perf_counter()
    size = asyncio.run(main())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({"format": fmt, "rows": n, "seconds": seconds, "peak_mb": peak_mb, "bytes": size})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    for fmt in ("xlsx", "csv"):
        out = context.Queue()
        process = context.Process(target=_run, args=(fmt, args.rows, out))
        process.start()
        r = out.get()
        process.join()
        print(
            f"{r['format']:>4} {r['rows']:>9,} rows: {r['seconds']:6.1f} s, "
            f"peak {r['peak_mb']:5.0f} MB, file {r['bytes'] / 1e6:6.1f} MB"
        )


if __name__ == "__main__":
    main()
