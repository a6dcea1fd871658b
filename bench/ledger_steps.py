"""The ledger's handler of ``cases.case.status_changed`` (batch): CPU per step.

    uv run python bench/ledger_steps.py [--cases 2000] [--batch 128] [--rounds 3] [--base REV]

A scratch ledger database (migrated, dropped at the end). Each round books N new cases
(one claim each) with ``register_cases``, then hands the consumer's handler
(``CaseEvents.status_changed``, as the consumer calls it: one transaction per batch of
``--batch`` envelopes) an ``inkassovarsel_sent`` step for every case: the step kept, the
fee charged, the balance event written. Measured around the handler's batches only: this
process's CPU (``time.process_time``) and its PostgreSQL backends' CPU, per 1,000 steps.
``--base REV`` runs the code of another commit (its ``services/ledger``) in alternate
worker processes, as ``bench/scheduler_batch.py`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ALEMBIC_INI = REPO / "services" / "ledger" / "alembic.ini"
sys.path.insert(0, str(REPO / "bench"))

from scheduler_batch import _ticks  # noqa: E402


async def worker(url: str, cases: int, batch: int) -> dict[str, Any]:
    import asyncpg
    from contracts import Envelope
    from contracts.cases import CaseStatusChanged
    from ledger.adapters.orm import outbox
    from ledger.bootstrap import bootstrap
    from ledger.domain.case_ledger import CaseFacts, Claim
    from ledger.entrypoints import consumers
    from ledger.service_layer.cases import CaseRegistration, register_cases
    from ledger.settings import LedgerSettings
    from sqlalchemy import text

    service = bootstrap(LedgerSettings(environment="test", database_url=url))
    creditor_id = uuid.uuid4()
    facts = [
        CaseFacts(
            case_id=uuid.uuid4(),
            creditor_id=creditor_id,
            kid=str(10**12 + secrets.randbelow(10**12)),
            debtor_kind="person",
            currency="NOK",
            claims=(Claim(uuid.uuid4(), date(2026, 10, 26), 125_050, 3_500),),
        )
        for _ in range(cases)
    ]
    for start in range(0, cases, 500):
        async with service.unit_of_work() as uow:
            await register_cases(
                uow.books,
                [
                    CaseRegistration(f, f"S-{secrets.token_hex(5)}", datetime.now(UTC))
                    for f in facts[start : start + 500]
                ],
                service.policy,
            )
            await uow.commit()
    envelopes = [
        Envelope.wrap(
            CaseStatusChanged(
                case_id=f.case_id,
                creditor_id=creditor_id,
                from_status="registered",
                to_status="notice_sent",
                step="inkassovarsel_sent",
                effective_date=date(2026, 11, 25),
                deadline=date(2026, 12, 9),
                rule_set="inkassoloven-1988",
                debtor_kind="person",
                actor="scheduler",
                changed_at=datetime.now(UTC),
            )
        )
        for f in facts
    ]
    handler = consumers.CaseEvents(outbox, service.policy).status_changed
    async with service.session_factory() as session:
        database = (await session.execute(text("SELECT current_database()"))).scalar_one()
    monitor = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    backends = [
        r["pid"]
        for r in await monitor.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    ]
    profiler = None
    if os.environ.get("STEPS_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    pg_before, cpu_before = _ticks(backends), time.process_time()
    for start in range(0, cases, batch):
        async with service.session_factory() as session, session.begin():
            await handler(session, envelopes[start : start + batch])
    cpu = time.process_time() - cpu_before
    pg = (_ticks(backends) - pg_before) / os.sysconf("SC_CLK_TCK")
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.environ["STEPS_PROFILE"])
    await monitor.close()
    await service.close()
    return {"steps": cases, "cpu": cpu, "pg": pg}


def run_worker(url: str, cases: int, batch: int, path: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = path + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, __file__, "--worker", url, "--cases", str(cases), "--batch", str(batch)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--base", help="a commit to compare with (its services/ledger)")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(asyncio.run(worker(args.worker, args.cases, args.batch))))
        return

    from servicekit.testing import infra

    name = f"bench_steps_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(infra.create_migrated_database(name, ALEMBIC_INI))
    variants: dict[str, str | None] = {"new": None}
    with tempfile.TemporaryDirectory() as tmp:
        if args.base:
            archive = subprocess.run(
                ["git", "archive", args.base, "services/ledger"],
                cwd=REPO, check=True, capture_output=True,
            )  # fmt: skip
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            variants = {"base": str(Path(tmp) / "services" / "ledger"), "new": None}
        results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
        try:
            for n in range(args.rounds):
                order = list(variants) if n % 2 == 0 else list(reversed(variants))
                for v in order:
                    r = run_worker(url, args.cases, args.batch, variants[v])
                    results[v].append(r)
                    print(f"round {n} {v:5} cpu {r['cpu']:.2f}s pg {r['pg']:.2f}s", file=sys.stderr)
        finally:
            asyncio.run(infra.drop_database(name))
    print(f"{args.cases} steps per round, batches of {args.batch}, {args.rounds} rounds")
    print("variant   CPU s/1000 steps (median)   PostgreSQL CPU s/1000")
    medians = {}
    for v, rs in results.items():
        medians[v] = statistics.median(r["cpu"] / r["steps"] * 1000 for r in rs)
        pg = statistics.median(r["pg"] / r["steps"] * 1000 for r in rs)
        print(f"{v:8} {medians[v]:>12.3f} {pg:>28.3f}")
    if "base" in medians:
        print(f"new / base CPU: {medians['new'] / medians['base']:.2f}")


if __name__ == "__main__":
    main()
