"""The workflow scheduler's CPU per case: its batches on N freshly registered due cases.

    uv run python bench/scheduler_batch.py [--cases 2000] [--rounds 3] [--base REV]

A scratch cases database (migrated, dropped at the end). Each round registers N cases
(one claim each, as ``bench/cases_import.py`` generates them) on a fixed business day and
runs :func:`cases.service_layer.workflow.run_due` over them, the inkassovarsel step of
every case (as the scheduler after a 100,000-case import). Measured around ``run_due``
only: this process's CPU (``time.process_time``) and its PostgreSQL backends' CPU
(``/proc/<pid>/stat``), per 1,000 cases, and the statements sent.

``--base REV`` compares with the code of another commit: each round runs the two in
separate worker processes, alternated (the base's ``services/cases`` exported with
``git archive`` and put first on ``PYTHONPATH``); the table gives the ratio. The debtor
letters themselves are rendered later by the reports service and are not measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ALEMBIC_INI = REPO / "services" / "cases" / "alembic.ini"
DAY = date(2026, 11, 25)


def _ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


async def _clone(url: str, times: int) -> None:
    """Copy every registered case (its parties and claims) ``times`` over, in SQL."""
    conn = await _connect(url)
    try:

        async def columns(table: str) -> list[str]:
            rows = await conn.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = $1 AND table_schema = 'public' ORDER BY ordinal_position",
                table,
            )
            return [r["column_name"] for r in rows]

        new = {
            "id": "m.new_id",
            "sequence": "m.seq",
            "case_number": "'K' || m.seq",
            "kid": "m.seq::text || '0'",
            "creditor_reference": "c.creditor_reference || '-' || m.k",
        }
        case_cols = await columns("cases")
        party_cols = await columns("parties")
        claim_cols = await columns("claims")
        await conn.execute(
            "CREATE TEMP TABLE m AS SELECT c.id AS old_id, gen_random_uuid() AS new_id, k, "
            "(SELECT max(sequence) FROM cases) + row_number() OVER () AS seq "
            "FROM cases c, generate_series(1, $1) AS k WHERE c.status = 'registered'",
            times,
        )
        select_cases = ", ".join(new.get(col, f"c.{col}") for col in case_cols)
        await conn.execute(
            f"INSERT INTO cases ({', '.join(case_cols)}) SELECT {select_cases} "
            "FROM cases c JOIN m ON m.old_id = c.id"
        )
        for table, cols in (("parties", party_cols), ("claims", claim_cols)):
            chosen = ", ".join(
                {"id": "gen_random_uuid()", "case_id": "m.new_id"}.get(col, f"t.{col}")
                for col in cols
            )
            await conn.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {chosen} "
                f"FROM {table} t JOIN m ON m.old_id = t.case_id"
            )
        await conn.execute("SELECT setval('case_sequence', (SELECT max(sequence) FROM cases))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def worker(url: str, cases: int, batch_size: int, clone: int = 0) -> dict[str, Any]:
    from cases.adapters.orm import creditors
    from cases.bootstrap import bootstrap
    from cases.domain.registration import Address, CaseRegistration, Claim, Debtor
    from cases.service_layer import registration as reg
    from cases.service_layer import workflow
    from cases.service_layer.clock import OSLO
    from cases.settings import CasesSettings
    from servicekit.crypto import Keyring
    from servicekit.testing.data import national_identity_number, organisation_number
    from sqlalchemy import event, insert, text

    class FixedClock:
        def now(self) -> datetime:
            return datetime.combine(DAY, clock_time(12), OSLO).astimezone(UTC)

        def today(self) -> date:
            return DAY

    service = bootstrap(
        CasesSettings(
            environment="test",
            database_url=url,
            data_keys=Keyring.generate_spec(),
            lookup_key=uuid.uuid4().hex,
        )
    )
    service.clock = FixedClock()
    batch_size = batch_size or service.settings.scheduler_batch_size
    creditor_id = uuid.uuid4()
    async with service.session_factory() as session:
        await session.execute(
            insert(creditors).values(
                organisation_id=creditor_id,
                name=f"Bench {creditor_id.hex[:8]}",
                organisation_number=organisation_number(),
                active=True,
                registered_at=datetime.now(UTC),
            )
        )
        await session.commit()
    who = reg.Submitter(creditor_id=creditor_id, channel="api", user_id=None)
    ctx = service.registration()
    for start in range(0, cases, 1000):
        items = [
            (
                i,
                CaseRegistration(
                    creditor_reference=f"B-{uuid.uuid4().hex[:12]}",
                    debtor=Debtor(
                        kind="person",
                        name="Ola Nordmann",
                        address=Address(lines=("Storgata 1",), postal_code="0155", city="Oslo"),
                        national_id=national_identity_number(),
                        organisation_number=None,
                        email=None,
                        phone=None,
                    ),
                    claims=(
                        Claim(
                            invoice_number=f"F{i}",
                            invoice_date=date(2026, 9, 26),
                            due_date=date(2026, 10, 26),
                            principal_ore=125_050,
                            reminder_fee_ore=3_500,
                        ),
                    ),
                ),
            )
            for i in range(start, min(start + 1000, cases))
        ]
        async with service.unit_of_work() as uow:
            batch = await reg.open_batch(uow, ctx, who)
            await reg.register_chunk(uow, ctx, batch, items)
            await reg.complete_batch(uow, ctx, batch.batch_id, rejected=0)
            await uow.commit()

    if clone:
        await _clone(url, clone)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(service.engine.sync_engine, "before_cursor_execute", count)
    async with service.session_factory() as session:
        await session.execute(text("SELECT 1"))
        database = (await session.execute(text("SELECT current_database()"))).scalar_one()
    monitor = await _connect(url)
    backends = [
        r["pid"]
        for r in await monitor.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    ]
    statements = 0
    pg_before, cpu_before, wall_before = _ticks(backends), time.process_time(), time.perf_counter()
    if os.environ.get("SCHEDULER_GC_FREEZE"):
        import gc

        gc.freeze()
    profiler = None
    if os.environ.get("SCHEDULER_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    run = await workflow.run_due(service.unit_of_work, service.workflow(), batch_size=batch_size)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.environ["SCHEDULER_PROFILE"])
    cpu = time.process_time() - cpu_before
    wall = time.perf_counter() - wall_before
    pg = (_ticks(backends) - pg_before) / os.sysconf("SC_CLK_TCK")
    sent = await monitor.fetchval(
        "SELECT count(*) FROM outbox WHERE created_at >= now() - interval '1 hour'"
    )
    await monitor.close()
    await service.close()
    return {
        "batch_size": batch_size,
        "cases": run.cases,
        "steps": run.steps,
        "batches": run.batches,
        "cpu": cpu,
        "pg": pg,
        "wall": wall,
        "statements": statements,
        "outbox_rows": sent,
    }


async def _connect(url: str) -> Any:
    import asyncpg

    return await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))


def run_worker(
    url: str, cases: int, batch_size: int, clone: int, path: str | None
) -> dict[str, Any]:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = path + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, __file__, "--worker", url, "--cases", str(cases),
         "--batch-size", str(batch_size), "--clone", str(clone)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--batch-size", type=int, default=0, help="cases per batch (default: each code's own)"
    )
    parser.add_argument("--base", help="a commit to compare with (its services/cases)")
    parser.add_argument("--clone", type=int, default=0, help="copy the cases K times (SQL)")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(asyncio.run(worker(args.worker, args.cases, args.batch_size, args.clone))))
        return

    from servicekit.testing import infra

    name = f"bench_sched_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(infra.create_migrated_database(name, ALEMBIC_INI))
    variants: dict[str, str | None] = {"new": None}
    with tempfile.TemporaryDirectory() as tmp:
        if args.base:
            archive = subprocess.run(
                ["git", "archive", args.base, "services/cases"],
                cwd=REPO, check=True, capture_output=True,
            )  # fmt: skip
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            variants = {"base": str(Path(tmp) / "services" / "cases"), "new": None}
        results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
        try:
            for n in range(args.rounds):
                order = list(variants) if n % 2 == 0 else list(reversed(variants))
                for v in order:
                    r = run_worker(url, args.cases, args.batch_size, args.clone, variants[v])
                    results[v].append(r)
                    print(
                        f"round {n} {v:5} cases {r['cases']} batch {r['batch_size']} "
                        f"cpu {r['cpu']:.2f}s "
                        f"pg {r['pg']:.2f}s statements {r['statements']} "
                        f"outbox {r['outbox_rows']}",
                        file=sys.stderr,
                    )
        finally:
            asyncio.run(infra.drop_database(name))
    total = args.cases * (1 + args.clone)
    print(f"{total} due cases per round, {args.rounds} rounds")
    print("variant  batch  CPU s/1000 cases (median)  PostgreSQL CPU s/1000  statements/batch")
    medians = {}
    for v, rs in results.items():
        cpu = statistics.median(r["cpu"] / r["cases"] * 1000 for r in rs)
        pg = statistics.median(r["pg"] / r["cases"] * 1000 for r in rs)
        per_batch = statistics.median(r["statements"] / max(r["batches"], 1) for r in rs)
        medians[v] = cpu
        size = rs[0]["batch_size"]
        print(f"{v:8} {size:>5} {cpu:>26.3f} {pg:>22.3f} {per_batch:>17.1f}")
    if "base" in medians:
        print(f"new / base CPU: {medians['new'] / medians['base']:.2f}")


if __name__ == "__main__":
    main()
