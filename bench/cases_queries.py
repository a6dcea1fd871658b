"""Case lists at millions of cases: keyset pages, filters and debtor lookups.

    uv run python bench/cases_queries.py [--cases 1000000] [--creditors 50] [--repeat 30]
                                         [--keep] [--no-save]

Loads ``--cases`` cases (with their debtor and one claim) into a scratch database
migrated with the cases service's own Alembic history, spread over ``--creditors``
creditors with one large creditor holding a third of them, then times the read queries
the API runs (``cases.views``) through SQLAlchemy, each beside a baseline measured in the
same script on the same data: fetching the same number of cases by primary key
(``WHERE id = ANY(…)``). Figures are medians of ``--repeat`` runs, in milliseconds, and
their ratio to the baseline; ``EXPLAIN`` confirms the index each query uses.
Results: a table on stdout, JSON in ``bench/results/cases_queries-<date>.json`` and a
summary in ``bench/RESULTS.md`` (``--no-save`` skips both).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from cases import views
from cases.adapters.orm import cases as cases_table
from servicekit.crypto import blind_index
from servicekit.db import make_engine, make_session_factory
from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parents[1]
ADMIN_DSN = os.environ.get("INFOCENTER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
STATUSES = ("registered", "notice_sent", "demand_sent", "disputed", "legal", "closed")
NAMES = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen")
GIVEN = ("Ola", "Kari", "Bjørn", "Åse", "Per", "Ingrid", "Lars", "Solveig", "Knut", "Marit")
RARE_NAME = "Ødegård"
"""One name in a thousand: a one-word search that finds few cases."""
LOOKUP_KEY = b"bench-lookup-key"
PAGE = 50


def _copy_rows(
    creditors: list[uuid.UUID], batch_ids: dict[uuid.UUID, uuid.UUID], first: int, count: int
) -> tuple[io.BytesIO, io.BytesIO, io.BytesIO]:
    """Tab-separated rows for COPY of cases ``first`` … ``first + count - 1``, their debtor
    and one claim each."""
    rng = random.Random(first)
    big = creditors[0]
    cases, parties, claims = io.BytesIO(), io.BytesIO(), io.BytesIO()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(first, first + count):
        creditor = big if rng.random() < 1 / 3 else rng.choice(creditors)
        case_id, party_id, claim_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        registered = start + timedelta(seconds=i * 60)
        due = (registered - timedelta(days=rng.randint(15, 400))).date()
        principal = rng.randint(10_000, 5_000_000)
        status = rng.choice(STATUSES)
        surname = RARE_NAME if rng.random() < 0.001 else rng.choice(NAMES)
        name = f"{rng.choice(GIVEN)} {surname} {i}"
        paid = rng.choice((0, 0, principal // 3, principal))
        balance = max(principal - paid, 0) + rng.randint(0, 200_000)
        cases.write(
            (
                f"{case_id}\t{i}\tIC-{i:07d}\t{i:010d}0\t{creditor}\tREF-{i}\t{batch_ids[creditor]}"
                f"\timport\tperson\t{status}\t{registered.isoformat()}\tinkassoloven-1988"
                f"\t{principal}\t1\t{due}\t{due + timedelta(days=1095)}\t{registered.isoformat()}"
                f"\t{name}\t{balance}\t{paid}\n"
            ).encode()
        )
        parties.write(
            (
                f"{party_id}\t{case_id}\tdebtor\tperson\t{name}\t\\N"
                f'\t{blind_index(LOOKUP_KEY, f"{i:011d}")}\t{{"Gate {i}"}}\t0155\tOslo\tNO\n'
            ).encode()
        )
        claims.write(
            (
                f"{claim_id}\t{case_id}\t0\tF{i}\t{due - timedelta(days=14)}\t{due}"
                f"\t{principal}\t0\t{due + timedelta(days=1095)}\n"
            ).encode()
        )
    for buffer in (cases, parties, claims):
        buffer.seek(0)
    return cases, parties, claims


async def load(dsn: str, n: int, n_creditors: int) -> list[uuid.UUID]:
    connection = await asyncpg.connect(dsn)
    creditors = [uuid.uuid4() for _ in range(n_creditors)]
    await connection.copy_records_to_table(
        "creditors",
        records=[
            (c, f"Kreditor {i}", "923609016", True, datetime.now(UTC))
            for i, c in enumerate(creditors)
        ],
        columns=["organisation_id", "name", "organisation_number", "active", "registered_at"],
    )
    batch_ids = {c: uuid.uuid4() for c in creditors}
    await connection.copy_records_to_table(
        "batches",
        records=[
            (b, f"B-{i + 1:07d}", c, "import", "registered")
            for i, (c, b) in enumerate(batch_ids.items())
        ],
        columns=["id", "batch_number", "creditor_id", "channel", "status"],
    )
    chunk = 250_000
    for offset in range(0, n, chunk):
        size = min(chunk, n - offset)
        cases, parties, claims = _copy_rows(creditors, batch_ids, offset + 1, size)
        await connection.copy_to_table(
            "cases",
            source=cases,
            columns=[
                "id",
                "sequence",
                "case_number",
                "kid",
                "creditor_id",
                "creditor_reference",
                "batch_id",
                "channel",
                "debtor_kind",
                "status",
                "status_since",
                "rule_set",
                "principal_total_ore",
                "claim_count",
                "earliest_due_date",
                "limitation_date",
                "registered_at",
                "debtor_name",
                "balance_ore",
                "paid_ore",
            ],
        )
        await connection.copy_to_table(
            "parties",
            source=parties,
            columns=[
                "id",
                "case_id",
                "role",
                "kind",
                "name",
                "national_id_sealed",
                "national_id_index",
                "address_lines",
                "postal_code",
                "city",
                "country",
            ],
        )
        await connection.copy_to_table(
            "claims",
            source=claims,
            columns=[
                "id",
                "case_id",
                "position",
                "invoice_number",
                "invoice_date",
                "due_date",
                "principal_ore",
                "reminder_fee_ore",
                "limitation_date",
            ],
        )
        print(f"  loaded {offset + size:,} cases", flush=True)
    await connection.execute(f"SELECT setval('case_sequence', {n})")
    await connection.execute("ANALYZE")
    await connection.close()
    return creditors


async def _timings_ms(run: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, float]:
    """The median and the 95th percentile of ``repeat`` runs, after one to warm up."""
    await run()  # warm the plan and the cache
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1]


async def existing_creditors(dsn: str) -> tuple[list[uuid.UUID], int]:
    """The creditors of a kept database, the largest first, and its number of cases."""
    connection = await asyncpg.connect(dsn)
    rows = await connection.fetch(
        "SELECT creditor_id, count(*) AS n FROM cases GROUP BY creditor_id ORDER BY n DESC"
    )
    await connection.close()
    return [r["creditor_id"] for r in rows], sum(r["n"] for r in rows)


async def measure(url: str, creditors: list[uuid.UUID], n: int, repeat: int) -> dict[str, Any]:
    engine = make_engine(url, pool_size=2, application_name="bench")
    factory = make_session_factory(engine)
    big = creditors[0]
    rng = random.Random(7)
    async with factory() as session:
        ids = list((await session.scalars(select(cases_table.c.id).limit(20_000))).all())
        # a cursor deep into the big creditor's list: after 100,000 rows (or half of them)
        depth = min(100_000, n // 6)
        row = (
            await session.execute(
                text(
                    "SELECT registered_at, id FROM cases WHERE creditor_id = :c "
                    "ORDER BY registered_at DESC, id DESC OFFSET :o LIMIT 1"
                ),
                {"c": big, "o": depth},
            )
        ).one()
    deep_cursor = views.encode_cursor("registered", "desc", row.registered_at, row.id)

    async def baseline() -> None:
        sample = rng.sample(ids, PAGE)
        async with factory() as session:
            await session.execute(select(cases_table).where(cases_table.c.id.in_(sample)))

    def page(
        tenant: uuid.UUID | None, f: views.CaseFilter, **kw: Any
    ) -> Callable[[], Awaitable[Any]]:
        async def run() -> None:
            async with factory() as session:
                rows, _ = await views.list_cases(session, tenant, f, limit=PAGE, **kw)
                assert rows, "a query of the benchmark found nothing"

        return run

    target = rng.randint(1, n)
    queries: dict[str, Callable[[], Awaitable[Any]]] = {
        "first page, big creditor, newest first": page(big, views.CaseFilter()),
        f"page after {depth:,} rows (keyset cursor)": page(
            big, views.CaseFilter(), cursor=deep_cursor
        ),
        "status filter (demand_sent), newest first": page(
            big, views.CaseFilter(status=("demand_sent",))
        ),
        "sorted by principal, descending": page(big, views.CaseFilter(), sort="principal"),
        "sorted by due date, ascending": page(big, views.CaseFilter(), sort="due", order="asc"),
        "debtor name word 'hansen' (1 in 8 names)": page(
            big, views.CaseFilter(debtor_words=views.name_words("hansen"))
        ),
        f"debtor name word '{RARE_NAME.lower()}' (1 in 1,000)": page(
            big, views.CaseFilter(debtor_words=views.name_words(RARE_NAME.lower()))
        ),
        f"case handler: name word '{RARE_NAME.lower()}'": page(
            None, views.CaseFilter(debtor_words=views.name_words(RARE_NAME.lower()))
        ),
        "one box: 'ic-0000007' (number, reference or name)": page(
            None, views.CaseFilter(text=views.search_text("ic-0000007"))
        ),
        "one box: 'hansen' (number, reference or name)": page(
            big, views.CaseFilter(text=views.search_text("hansen"))
        ),
        f"one box: '{RARE_NAME.lower()}' (number, reference or name)": page(
            big, views.CaseFilter(text=views.search_text(RARE_NAME.lower()))
        ),
        "two words: 'hansen ola' (1 in 80)": page(
            big, views.CaseFilter(debtor_words=views.name_words("hansen ola"))
        ),
        "debtor by national id (blind index)": page(
            None,
            views.CaseFilter(debtor_national_id_index=blind_index(LOOKUP_KEY, f"{target:011d}")),
        ),
        "case handler: all creditors, newest first": page(None, views.CaseFilter()),
        "principal range 1 000-2 000 kr": page(
            big, views.CaseFilter(principal_min_ore=100_000, principal_max_ore=200_000)
        ),
    }
    base, base_p95 = await _timings_ms(baseline, repeat)
    results = {
        "baseline: 50 cases by primary key": {
            "ms": round(base, 3),
            "p95_ms": round(base_p95, 3),
            "ratio": 1.0,
        }
    }
    for name, run in queries.items():
        ms, p95 = await _timings_ms(run, repeat)
        results[name] = {"ms": round(ms, 3), "p95_ms": round(p95, 3), "ratio": round(ms / base, 2)}
    await engine.dispose()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--creditors", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument(
        "--database", help="measure a database kept by an earlier --keep run (no loading)"
    )
    args = parser.parse_args()

    if args.database:
        dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{args.database}"
        url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
        creditors, args.cases = await existing_creditors(dsn)
        args.creditors, load_seconds = len(creditors), 0.0
        results = await measure(url, creditors, args.cases, args.repeat)
    else:
        results, load_seconds = await _load_and_measure(args)
    _report(args, results, load_seconds)


async def _load_and_measure(args: argparse.Namespace) -> tuple[dict[str, Any], float]:
    name = f"bench_cases_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    print(f"scratch database {name}", flush=True)
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
        started = time.perf_counter()
        creditors = await load(dsn, args.cases, args.creditors)
        load_seconds = time.perf_counter() - started
        results = await measure(url, creditors, args.cases, args.repeat)
    finally:
        if not args.keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return results, load_seconds


def _report(args: argparse.Namespace, results: dict[str, Any], load_seconds: float) -> None:
    load = os.getloadavg()
    print(
        f"\n{args.cases:,} cases over {args.creditors} creditors (loaded in {load_seconds:.0f} s)"
    )
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'query (page of 50)':<52} {'median ms':>10} {'p95 ms':>8} {'x baseline':>11}")
    for query, figures in results.items():
        print(
            f"{query:<52} {figures['ms']:>10.2f} {figures['p95_ms']:>8.2f}"
            f" {figures['ratio']:>11.2f}"
        )
    if args.no_save:
        return
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M%S")
    record = {
        "benchmark": "cases_queries",
        "date": stamp,
        "cases": args.cases,
        "creditors": args.creditors,
        "repeat": args.repeat,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": [round(x, 2) for x in load],
        "results": results,
    }
    out = ROOT / "bench" / "results" / f"cases_queries-{stamp}.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    lines = [
        f"\n## Case queries at {args.cases:,} cases ({stamp})\n",
        "`uv run python bench/cases_queries.py` — median of "
        f"{args.repeat} runs, a page of {PAGE}, against 50 cases fetched by primary key "
        f"in the same script. Load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        f"(shared machine, {os.cpu_count()} CPUs).\n",
        "| query | median ms | p95 ms | x baseline (median) |",
        "| --- | ---: | ---: | ---: |",
        *[
            f"| {q} | {f['ms']:.2f} | {f['p95_ms']:.2f} | {f['ratio']:.2f} |"
            for q, f in results.items()
        ],
        f"\nJSON: `bench/results/{out.name}`.\n",
    ]
    with (ROOT / "bench" / "RESULTS.md").open("a") as results_md:
        results_md.write("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
