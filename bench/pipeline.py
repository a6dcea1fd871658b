"""The import-to-read-model pipeline: N cases through the gateway → cases → ledger → reports,
then the workflow scheduler's inkassovarsel, beside a COPY of the same rows.

    uv run python bench/pipeline.py                       # N = 100,000
    uv run python bench/pipeline.py --cases 10000 --no-save   # a quick look
    uv run python bench/pipeline.py --consumers 2         # two consumer processes per service

A test stack of real processes (devstack's ``Stack``: the gateway, auth, cases, ledger and
reports with their relays, consumers and workers) on its own ports, databases and bus
namespace. A demo creditor uploads a generated CSV of N cases (``bench.cases_import``'s
file, one claim per row, 1 % bad rows) through the gateway; the scheduler is stopped
during the import. Timed from the first byte of the upload:

- ``import done``: the import job completed (every case committed, its
  ``cases.case.registered`` in the outbox);
- ``ledger caught up``: every accepted case booked in the ledger (``ledger_cases``);
- ``reports caught up``: every accepted case in the reports read model with the balance
  the ledger published for it (``cases.balance_ore`` set);
- ``scheduler``: the workflow scheduler started again: from its start until no case is
  due (every case got its inkassovarsel step, in the cases database), then until the
  ledger has kept every step (``case_steps``) — the process start (about 2 s of imports)
  is inside the figure.

Baseline, in the same script: the rows the pipeline wrote to its target tables (cases:
``cases``, ``parties``, ``claims``, ``timeline``; ledger: ``ledger_cases``,
``ledger_claims``, ``journal_entries``, ``postings``; reports: ``cases``) copied out
(untimed) and written again with binary ``COPY`` into empty copies of those tables (same
columns, indexes and constraints but no foreign keys: ``LIKE … INCLUDING ALL``), one
table after the other. That is the floor of writing the same rows; the ratio is
pipeline seconds / COPY seconds.

``--consumers K`` runs K consumer processes per service on the same queue (ADR 0060: the
handlers involved are order-independent, so competing consumers are safe).

Results: a table on stdout, ``bench/results/pipeline-<date>.json`` and a section in
``bench/RESULTS.md`` (``--no-save`` skips both).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))

from devstack.stack import Stack, StackConfig, free_port_base  # noqa: E402

from bench.cases_import import (  # noqa: E402
    creditor_login,
    file_body,
    generate,
    machine,
    organisation_of,
    wait_for_creditor,
    wait_ready,
)
from bench.pipeline_watch import Timeline  # noqa: E402
from tests.e2e.identity import sign_in  # noqa: E402

AIM_LEDGER_SECONDS_PER_100K = 60.0
AIM_SCHEDULER_CASES_PER_SECOND = 1_000
SERVICES = ("auth", "cases", "ledger", "reports")
POLL = 0.5

CASES_TARGETS = {
    "cases": "SELECT * FROM cases WHERE batch_id = $1",
    "parties": "SELECT * FROM parties WHERE case_id IN (SELECT id FROM cases WHERE batch_id = $1)",
    "claims": "SELECT * FROM claims WHERE case_id IN (SELECT id FROM cases WHERE batch_id = $1)",
    "timeline": "SELECT * FROM timeline WHERE case_id IN (SELECT id FROM cases WHERE batch_id = $1)"
    " AND kind = 'registered'",
}
LEDGER_TARGETS = {
    "ledger_cases": "SELECT * FROM ledger_cases WHERE case_id = ANY($1::uuid[])",
    "ledger_claims": "SELECT * FROM ledger_claims WHERE case_id = ANY($1::uuid[])",
    "journal_entries": "SELECT * FROM journal_entries WHERE case_id = ANY($1::uuid[])"
    " AND kind = 'claim_registered'",
    "postings": "SELECT p.* FROM postings p JOIN journal_entries e USING (entry_id)"
    " WHERE e.case_id = ANY($1::uuid[]) AND e.kind = 'claim_registered'",
}
REPORTS_TARGETS = {"cases": "SELECT * FROM cases WHERE batch_id = $1"}


@dataclass
class Stage:
    name: str
    seconds: float


async def wait_count(url: str, query: str, args: tuple[Any, ...], target: int) -> int:
    """Poll ``query`` (a count) until it reaches ``target``; the count."""
    conn = await asyncpg.connect(url)
    try:
        while True:
            count = int(await conn.fetchval(query, *args))
            if count >= target:
                return count
            await asyncio.sleep(POLL)
    finally:
        await conn.close()


async def copy_baseline(url: str, targets: dict[str, str], arg: Any) -> dict[str, Any]:
    """Copy the rows out (untimed), then time a binary COPY into empty copies of the tables."""
    conn = await asyncpg.connect(url)
    figures: dict[str, Any] = {}
    try:
        for table, query in targets.items():
            buffer = io.BytesIO()
            await conn.copy_from_query(query, arg, output=buffer, format="binary")
            scratch = f"bench_copy_{table}"
            await conn.execute(f"DROP TABLE IF EXISTS {scratch}")
            await conn.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING ALL)")
            rows = int(await conn.fetchval(f"SELECT count(*) FROM ({query}) q", arg))
            buffer.seek(0)
            started = time.perf_counter()
            await conn.copy_to_table(scratch, source=buffer, format="binary")
            seconds = time.perf_counter() - started
            await conn.execute(f"DROP TABLE {scratch}")
            figures[table] = {"rows": rows, "seconds": round(seconds, 3)}
    finally:
        await conn.close()
    return figures


def extra_consumers(stack: Stack, count: int) -> list[subprocess.Popen[bytes]]:
    """``count - 1`` more consumer processes per service, on the same queues (own metrics
    ports); their output goes to the stack's log directory."""
    started: list[subprocess.Popen[bytes]] = []
    base = free_port_base(10000, 20000)
    for service in SERVICES:
        spec = stack.process(f"{service}-consumer")
        metrics_key = next(k for k in spec.env if k.endswith("_METRICS_PORT"))
        for i in range(1, count):
            env = {**os.environ, **spec.env, metrics_key: str(base)}
            base += 1
            log = (stack.config.log_dir / f"{service}-consumer-{i + 1}.log").open("wb")
            started.append(
                subprocess.Popen(
                    spec.argv(), env=env, cwd=stack.config.root, stdout=log, stderr=log
                )
            )
    return started


async def measure(
    stack: Stack, args: argparse.Namespace, path: Path, timeline: Timeline | None = None
) -> dict[str, Any]:
    login = creditor_login(stack.seed_demo() or [])
    cases_url = stack.database_url("cases", driver="")
    ledger_url = stack.database_url("ledger", driver="")
    reports_url = stack.database_url("reports", driver="")
    stack.kill("cases-scheduler")  # it runs after the import, timed on its own
    stages: list[Stage] = []
    async with httpx.AsyncClient(base_url=stack.url, timeout=300) as client:
        session = await sign_in(client, login)
        headers = await session.headers()
        organisation_id = organisation_of(session.access_token)
        await wait_for_creditor(cases_url, organisation_id)
        started = time.perf_counter()
        if timeline is not None:
            timeline.start()
        response = await client.post(
            "/api/v1/cases/imports",
            content=file_body(path),
            headers={**headers, "Content-Type": "text/csv"},
            params={"filename": path.name},
        )
        if response.status_code != 202:
            raise RuntimeError(f"upload refused: {response.status_code} {response.text}")
        job_id = response.json()["job_id"]
        while True:
            job = (
                await client.get(f"/api/v1/cases/imports/{job_id}", headers=await session.headers())
            ).json()
            if job["status"] in ("completed", "failed"):
                break
            await asyncio.sleep(POLL / 2)
        stages.append(Stage("import done", time.perf_counter() - started))
    if job["status"] != "completed":
        raise RuntimeError(f"the import failed: {job['error']}")
    accepted = int(job["rows_accepted"])
    batch_id = uuid.UUID(job["batch_id"])
    conn = await asyncpg.connect(cases_url)
    try:
        case_ids = [
            r["id"] for r in await conn.fetch("SELECT id FROM cases WHERE batch_id = $1", batch_id)
        ]
    finally:
        await conn.close()
    assert len(case_ids) == accepted, (len(case_ids), accepted)

    await wait_count(
        ledger_url,
        "SELECT count(*) FROM ledger_cases WHERE case_id = ANY($1::uuid[])",
        (case_ids,),
        accepted,
    )
    stages.append(Stage("ledger caught up", time.perf_counter() - started))
    await wait_count(
        reports_url,
        "SELECT count(*) FROM cases WHERE batch_id = $1 AND balance_ore IS NOT NULL",
        (batch_id,),
        accepted,
    )
    stages.append(Stage("reports caught up", time.perf_counter() - started))

    due_query = (
        "SELECT count(*) FROM cases WHERE batch_id = $1 AND status <> 'closed' "
        "AND next_step_on <= current_date"
    )
    conn = await asyncpg.connect(cases_url)
    try:
        due = int(await conn.fetchval(due_query, batch_id))
    finally:
        await conn.close()
    scheduler_started = time.perf_counter()
    stack.start_process("cases-scheduler")
    await wait_count(
        cases_url,
        "SELECT $2::bigint - count(*) FROM cases WHERE batch_id = $1 AND status <> 'closed' "
        "AND next_step_on <= current_date",
        (batch_id, due),
        due,
    )
    scheduler_seconds = time.perf_counter() - scheduler_started
    await wait_count(
        ledger_url,
        "SELECT count(DISTINCT case_id) FROM case_steps WHERE case_id = ANY($1::uuid[])",
        (case_ids,),
        due,
    )
    steps_in_ledger = time.perf_counter() - scheduler_started

    baseline = {
        "cases": await copy_baseline(cases_url, CASES_TARGETS, batch_id),
        "ledger": await copy_baseline(ledger_url, LEDGER_TARGETS, case_ids),
        "reports": await copy_baseline(reports_url, REPORTS_TARGETS, batch_id),
    }
    copy_seconds = sum(t["seconds"] for db in baseline.values() for t in db.values())
    reports_seconds = stages[-1].seconds
    return {
        "cases": args.cases,
        "cases_accepted": accepted,
        "consumers_per_service": args.consumers,
        "stages": {s.name: round(s.seconds, 2) for s in stages},
        "ledger_cases_per_second_after_import": round(
            accepted / max(stages[1].seconds - stages[0].seconds, 1e-9)
        ),
        "scheduler": {
            "due": due,
            "seconds": round(scheduler_seconds, 2),
            "cases_per_second": round(due / scheduler_seconds),
            "steps_in_ledger_seconds": round(steps_in_ledger, 2),
        },
        "copy_baseline": baseline,
        "copy_seconds": round(copy_seconds, 3),
        "ratio_reports_to_copy": round(reports_seconds / copy_seconds, 1),
    }


async def measure_watched(stack: Stack, args: argparse.Namespace, path: Path) -> dict[str, Any]:
    """:func:`measure`, with a timeline of backlogs and CPU every ``--watch`` seconds."""
    if not args.watch:
        return await measure(stack, args, path)
    timeline = Timeline(args.watch)
    stop = asyncio.Event()
    watcher = asyncio.create_task(timeline.run(stack, stop))
    try:
        result = await measure(stack, args, path, timeline)
    finally:
        stop.set()
        await watcher
    result["timeline"] = timeline.samples
    return result


def report(result: dict[str, Any], args: argparse.Namespace, started: datetime) -> str:
    stages = result["stages"]
    n = result["cases"]
    aim = AIM_LEDGER_SECONDS_PER_100K * n / 100_000
    ledger = stages["ledger caught up"]
    sched = result["scheduler"]
    lines = [
        f"## pipeline, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`uv run python bench/pipeline.py --cases {n}"
        + (f" --consumers {args.consumers}" if args.consumers != 1 else "")
        + f"` — {n:,} cases ({result['cases_accepted']:,} accepted) through the gateway, "
        f"{result['consumers_per_service']} consumer process(es) per service; "
        f"machine nproc {result['machine']['nproc']}, load at start "
        f"{result['machine']['load_average']}, at end {result['load_at_end']}, "
        f"commit {result['machine']['commit']}.",
        "",
        "```",
        f"import done                 {stages['import done']:>8.2f} s",
        f"ledger caught up            {ledger:>8.2f} s   "
        f"({result['ledger_cases_per_second_after_import']:,} cases/s after the import; "
        f"aim {aim:.0f} s for {n:,}: {'met' if ledger <= aim else 'MISSED'})",
        f"reports caught up           {stages['reports caught up']:>8.2f} s",
        f"scheduler: inkassovarsel    {sched['seconds']:>8.2f} s   "
        f"({sched['due']:,} cases, {sched['cases_per_second']:,} cases/s; aim "
        f"{AIM_SCHEDULER_CASES_PER_SECOND:,}: "
        f"{'met' if sched['cases_per_second'] >= AIM_SCHEDULER_CASES_PER_SECOND else 'MISSED'})",
        f"  steps kept by the ledger  {sched['steps_in_ledger_seconds']:>8.2f} s",
        f"COPY of the same rows       {result['copy_seconds']:>8.2f} s   "
        "(cases + ledger + reports target tables)",
        f"reports caught up / COPY    {result['ratio_reports_to_copy']:>8.1f}",
        "```",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--consumers", type=int, default=1, help="consumer processes/service")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument(
        "--watch",
        type=float,
        default=0.0,
        metavar="S",
        help="every S seconds: backlogs and CPU per process on stderr (bench/pipeline_watch.py)",
    )
    args = parser.parse_args()
    started = datetime.now(UTC)
    run = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as scratch:
        path = Path(scratch) / f"cases-{args.cases}.csv"
        print(f"generating {args.cases:,} rows …", flush=True)
        generate(path, args.cases, run)
        config = replace(
            StackConfig.for_tests(name=f"bench-{run}", services=SERVICES),
            extra_env={
                "GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE": "600",
                "GATEWAY_AUTH_RATE_LIMIT_BURST": "200",
            },
        )
        stack = Stack(config)
        print("starting the stack …", flush=True)
        stack.provision()
        stack.migrate()
        stack.start(autorestart=False)
        extra: list[subprocess.Popen[bytes]] = []
        try:
            wait_ready(stack, timeout=300)
            extra = extra_consumers(stack, args.consumers)
            result_machine = machine()
            print("importing …", flush=True)
            result = asyncio.run(measure_watched(stack, args, path))
        except Exception:
            print(stack.log_tail(lines=60))
            raise
        finally:
            for proc in extra:
                proc.terminate()
            for proc in extra:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:  # busy rendering: as the stack's stop does
                    proc.kill()
                    proc.wait()
            try:
                stack.teardown()
            except RuntimeError as exc:  # the figures stand; say what was left behind
                print(f"teardown incomplete: {exc}", flush=True)
    result["machine"] = result_machine
    result["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["started_at"] = started.isoformat()
    text = report(result, args, started)
    print(text)
    if args.no_save:
        return
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    out = results / f"pipeline-{started:%Y-%m-%d-%H%M%S}-{args.cases}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    with (BENCH_DIR / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n" + text + f"JSON: `bench/results/{out.name}`.\n")
    print(f"saved {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
