"""Ledger throughput against the real PostgreSQL: payments allocated and posted, and the
economy of a portfolio recomputed as of a date.

    uv run python bench/ledger_payments.py [--payments 20000] [--batch 1000] [--rounds 3]
                                           [--late-percent 10] [--economy-cases 100000]
                                           [--no-save]

See bench/README.md ("ledger_payments") for what each figure means and how it is measured.

- ``ledger``: ``receive_payments`` + commit for bank-file-sized batches (``--batch``
  payments per transaction, each to its own case, value date after the due date): KID
  match, case lock, interest booked to the value date, allocation, the journal entries in
  the hash chain (balance checked by the database's triggers), payments, allocation rows,
  two events per payment in the outbox.
- ``plain inserts``: the same rows the ledger wrote for those payments (entries,
  postings, payments, allocations, outbox), inserted again with the same batches into
  copies of the tables without triggers (same columns and indexes), the way a ledger
  without invariants would write them. The ratio is ledger / plain.
- ``late``: the same as ``ledger`` when ``--late-percent`` of the payments arrive out of
  order: their cases already have a payment with a later value date booked (untimed), so
  each of them takes the re-allocation path (the later payment and its interest undone by
  linked reversals, both booked again in value-date order). Reported beside the in-order
  rate of the same run (ratio late / in order).
- ``economy``: every case's economy (principal, interest to the date, costs, payments) as
  of a date, streamed over ``--economy-cases`` cases (each with a claim, a fee and a
  payment); the time for 1,000,000 cases is extrapolated linearly from it (the work is
  linear in cases: one aggregate over the journal, then one interest computation per case).

Everything runs in a scratch database ``bench_ledger_<random>``, migrated with the
service's Alembic migrations, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ledger.adapters.bankfiles.kid import mod10_check_digit
from ledger.adapters.rate_store import RateStore
from ledger.bootstrap import LedgerService, bootstrap
from ledger.domain.case_ledger import CaseFacts, Claim
from ledger.domain.fees import Step
from ledger.service_layer.cases import CaseRegistration, StepTaken, record_steps, register_cases
from ledger.service_layer.payments import PaymentIn, receive_payments
from ledger.settings import LedgerSettings
from ledger.views.portfolio import case_balances
from servicekit.testing import infra
from sqlalchemy import text

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
ALEMBIC_INI = REPO / "services" / "ledger" / "alembic.ini"
AIM = 2000.0
"""Payments per second posted with all invariants on (the issue's aim)."""

DUE = date(2025, 1, 31)
PAID_ON = date(2025, 4, 15)
LATER_ON = date(2025, 5, 1)
"""Value dates of the payments booked first on the cases whose next payment is late."""
AS_OF = date(2025, 6, 30)
DEMAND = Step("betalingsoppfordring_sent", date(2025, 3, 3))
TABLES = ("journal_entries", "postings", "payments", "payment_allocations", "outbox")


def kid() -> str:
    base = "7" + "".join(str(secrets.randbelow(10)) for _ in range(13))
    return base + mod10_check_digit(base)


def _process_cpu() -> float:
    return time.process_time()


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all CPUs; idle and iowait excluded)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


async def settle(max_wait: float, quiet_cpus: float = 0.5) -> tuple[float, float]:
    """Wait (up to ``max_wait`` s) until under ``quiet_cpus`` CPUs are busy over a second;
    (seconds waited, CPUs busy in the last second)."""
    started = time.monotonic()
    while True:
        before = _machine_busy()
        await asyncio.sleep(1.0)
        busy = _machine_busy() - before
        waited = time.monotonic() - started
        if busy < quiet_cpus or waited >= max_wait:
            return round(waited, 1), round(busy, 2)


@dataclass
class Round:
    ledger_seconds: float
    plain_seconds: float
    ledger_cpu: float
    rows: dict[str, int]
    settled: tuple[float, float]
    """Seconds waited for a quiet machine before the round, and CPUs then busy."""
    others_cpus: float
    """CPUs busy with other work during the ledger section (machine minus this process)."""

    def rates(self, n: int) -> tuple[float, float]:
        return n / self.ledger_seconds, n / self.plain_seconds


class Scratch:
    """The ledger on a scratch database."""

    def __init__(self, url: str) -> None:
        self.service: LedgerService = bootstrap(
            LedgerSettings(environment="test", database_url=url, db_pool_size=4)
        )
        self.creditor = uuid.uuid4()

    async def sql(self, statement: str, **params: Any) -> Any:
        async with self.service.engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return result.all() if result.returns_rows else []

    async def vacuum(self) -> None:
        async with self.service.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))

    async def register(
        self, count: int, *, batch: int = 2_000, step: bool = False
    ) -> list[CaseFacts]:
        """``count`` cases of one claim (NOK 1 000-50 000), booked in batches (untimed)."""
        made: list[CaseFacts] = []
        for first in range(0, count, batch):
            cases = [
                CaseFacts(
                    case_id=uuid.uuid4(),
                    creditor_id=self.creditor,
                    kid=kid(),
                    debtor_kind="person",
                    currency="NOK",
                    claims=(Claim(uuid.uuid4(), DUE, 100_000 + secrets.randbelow(4_900_000), 0),),
                )
                for _ in range(min(batch, count - first))
            ]
            async with self.service.unit_of_work() as uow:
                await register_cases(
                    uow.books,
                    [CaseRegistration(c, "B", datetime.now(UTC)) for c in cases],
                    self.service.policy,
                )
                await uow.commit()
            if step:
                async with self.service.unit_of_work() as uow:
                    await record_steps(
                        uow.books,
                        [StepTaken(c.case_id, DEMAND, uuid.uuid4()) for c in cases],
                    )
                    await uow.commit()
            made.extend(cases)
        return made

    async def pay(
        self, cases: list[CaseFacts], batch: int, writers: int = 1, *, later: bool = False
    ) -> tuple[float, float, set[uuid.UUID]]:
        """Timed: one payment per case, ``batch`` per transaction, ``writers`` bank files at
        a time (each on its own cases); value dates in the month before ``PAID_ON`` (after
        it with ``later``). (seconds, cpu, payment ids)"""
        payment_ids: set[uuid.UUID] = set()
        started, cpu = time.perf_counter(), _process_cpu()
        files = [cases[first : first + batch] for first in range(0, len(cases), batch)]
        await asyncio.gather(
            *(self._import(files[w::writers], payment_ids, later) for w in range(writers))
        )
        return time.perf_counter() - started, _process_cpu() - cpu, payment_ids

    async def _import(
        self, files: list[list[CaseFacts]], payment_ids: set[uuid.UUID], later: bool = False
    ) -> None:
        for cases in files:
            payments = [
                PaymentIn(
                    transaction_id=f"bench:{uuid.uuid4()}",
                    kid=case.kid,
                    amount_ore=50_000 + secrets.randbelow(100_000),
                    value_date=(
                        LATER_ON + timedelta(days=secrets.randbelow(30))
                        if later
                        else PAID_ON - timedelta(days=secrets.randbelow(30))
                    ),
                    source="ocr",
                )
                for case in cases
            ]
            async with self.service.unit_of_work() as uow:
                summary = await receive_payments(uow.books, payments, self.service.policy)
                await uow.commit()
            if summary.allocated != len(payments):
                raise RuntimeError(f"allocated {summary.allocated} of {len(payments)}")
            payment_ids.update(summary.payment_ids)

    async def written_rows(self, payment_ids: set[uuid.UUID], since: int) -> dict[str, list[Any]]:
        """The rows the timed payments wrote (read back, untimed)."""
        ids = list(payment_ids)
        async with self.service.engine.connect() as conn:
            allocations = (
                (
                    await conn.execute(
                        text("SELECT * FROM payment_allocations WHERE payment_id = ANY(:ids)"),
                        {"ids": ids},
                    )
                )
                .mappings()
                .all()
            )
            entry_ids = [a["entry_id"] for a in allocations]
            cases = list({a["case_id"] for a in allocations})
            entries = (
                (
                    await conn.execute(
                        text(
                            "SELECT * FROM journal_entries WHERE entry_id = ANY(:ids)"
                            " OR (case_id = ANY(:cases) AND kind = 'interest_accrued'"
                            " AND seq > :since)"
                        ),
                        {"ids": entry_ids, "cases": cases, "since": since},
                    )
                )
                .mappings()
                .all()
            )
            postings = (
                (
                    await conn.execute(
                        text("SELECT * FROM postings WHERE entry_id = ANY(:ids)"),
                        {"ids": [e["entry_id"] for e in entries]},
                    )
                )
                .mappings()
                .all()
            )
            payments = (
                (
                    await conn.execute(
                        text("SELECT * FROM payments WHERE payment_id = ANY(:ids)"), {"ids": ids}
                    )
                )
                .mappings()
                .all()
            )
            outbox = (
                (
                    await conn.execute(
                        text("SELECT * FROM outbox WHERE id > :since_outbox ORDER BY id"),
                        {"since_outbox": self.outbox_mark},
                    )
                )
                .mappings()
                .all()
            )
        return {
            "journal_entries": [dict(r) for r in entries],
            "postings": [dict(r) for r in postings],
            "payments": [dict(r) for r in payments],
            "payment_allocations": [dict(r) for r in allocations],
            "outbox": [dict(r) for r in outbox],
        }

    outbox_mark: int = 0

    async def marks(self) -> int:
        rows = await self.sql("SELECT coalesce(max(seq), 0) FROM journal_entries")
        self.outbox_mark = (await self.sql("SELECT coalesce(max(id), 0) FROM outbox"))[0][0]
        return int(rows[0][0])

    async def plain_tables(self) -> None:
        for table in TABLES:
            await self.sql(f"DROP TABLE IF EXISTS plain_{table}")
            await self.sql(
                f"CREATE TABLE plain_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)"
            )

    async def plain_insert(self, rows: dict[str, list[Any]], batches: int, writers: int) -> float:
        """Timed: the same rows into the plain copies, in as many transactions as the ledger
        used, ``writers`` at a time."""
        from sqlalchemy import MetaData, Table

        metadata = MetaData()
        async with self.service.engine.connect() as conn:
            tables = {
                t: await conn.run_sync(
                    lambda sync, t=t: Table(f"plain_{t}", metadata, autoload_with=sync)
                )
                for t in TABLES
            }
        # the same number of rows per transaction as the ledger wrote, on average
        transactions = [
            {
                name: [
                    {k: v for k, v in row.items() if k != "id"} for row in rows[name][i::batches]
                ]
                for name in TABLES
            }
            for i in range(batches)
        ]

        async def write(mine: list[dict[str, list[dict[str, Any]]]]) -> None:
            for transaction in mine:
                async with self.service.engine.begin() as conn:
                    for name in TABLES:
                        if transaction[name]:
                            await conn.execute(tables[name].insert(), transaction[name])

        started = time.perf_counter()
        await asyncio.gather(*(write(transactions[w::writers]) for w in range(writers)))
        return time.perf_counter() - started

    async def economy(self) -> tuple[int, float, int]:
        async with self.service.session_factory() as session:
            rates = await RateStore(session).book()
        started = time.perf_counter()
        count = total = 0
        async for balance in case_balances(
            self.service.engine, rates, AS_OF, day_count=self.service.policy.day_count
        ):
            count += 1
            total += balance.balance_ore
        return count, time.perf_counter() - started, total


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


async def main(args: argparse.Namespace) -> None:
    infra.check_infrastructure()
    name = f"bench_ledger_{uuid.uuid4().hex[:8]}"
    url = await infra.create_migrated_database(name, ALEMBIC_INI)
    scratch = Scratch(url)
    env = {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": _cpu_model(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": (await scratch.sql("SHOW server_version"))[0][0],
        "packages": {p: version(p) for p in ("sqlalchemy", "asyncpg", "pydantic")},
        "git_commit": _git("rev-parse", "--short", "HEAD"),
    }
    print(
        f"ledger bench: {args.payments} payments in batches of {args.batch}, {args.rounds} "
        f"round(s); economy over {args.economy_cases} cases; db {name}"
    )
    rounds: list[Round] = []
    try:
        warm = await scratch.register(args.batch)
        await scratch.pay(warm, args.batch)  # warm-up: connections, statement caches
        await scratch.plain_tables()
        for number in range(1, args.rounds + 1):
            cases = await scratch.register(args.payments)
            await scratch.vacuum()
            since = await scratch.marks()
            settled = await settle(args.settle)
            machine = _machine_busy()
            seconds, cpu, payment_ids = await scratch.pay(cases, args.batch, args.writers)
            others = max(_machine_busy() - machine - cpu, 0.0) / seconds
            rows = await scratch.written_rows(payment_ids, since)
            await scratch.vacuum()
            batches = -(-args.payments // args.batch)
            plain = await scratch.plain_insert(rows, batches, args.writers)
            counts = {t: len(r) for t, r in rows.items()}
            result = Round(seconds, plain, cpu, counts, settled, round(others, 2))
            rounds.append(result)
            ledger_rate, plain_rate = result.rates(args.payments)
            print(
                f"round {number}: ledger {ledger_rate:,.0f} payments/s ({seconds:.2f} s, "
                f"{cpu / args.payments * 1e6:.0f} µs CPU/payment here), plain inserts of the "
                f"same rows {plain_rate:,.0f}/s ({plain:.2f} s), ratio "
                f"{ledger_rate / plain_rate:.2f}; rows {counts}; other work "
                f"{others:.2f} CPUs (PostgreSQL and the rest), settled {settled}"
            )
        late_rounds: list[tuple[float, float, float]] = []  # seconds, in-order seconds, late share
        late_count = round(args.payments * args.late_percent / 100)
        for number in range(1, args.rounds + 1 if late_count else 1):
            cases = await scratch.register(args.payments)
            await scratch.pay(cases[:late_count], args.batch, later=True)  # untimed
            shuffled = cases[:]
            secrets.SystemRandom().shuffle(shuffled)  # the late ones spread over the files
            await scratch.vacuum()
            await settle(args.settle)
            seconds, _cpu, _ids = await scratch.pay(shuffled, args.batch, args.writers)
            in_order = rounds[min(number, len(rounds)) - 1].ledger_seconds
            late_rounds.append((seconds, in_order, late_count / args.payments))
            print(
                f"late round {number}: {args.payments / seconds:,.0f} payments/s with "
                f"{late_count} of {args.payments} out of order ({seconds:.2f} s; in order "
                f"{args.payments / in_order:,.0f}/s, ratio {in_order / seconds:.2f})"
            )
        economy_cases = max(
            args.economy_cases - (args.rounds + len(late_rounds)) * args.payments - args.batch, 0
        )
        print(f"registering {economy_cases} more cases for the economy (untimed) ...")
        extra = await scratch.register(economy_cases, step=True)
        await scratch.pay(extra[: len(extra) // 2], 2_000)
        await scratch.vacuum()
        count, economy_seconds, total = await scratch.economy()
        per_million = economy_seconds / count * 1_000_000 if count else 0.0
        print(
            f"economy as of {AS_OF}: {count:,} cases in {economy_seconds:.1f} s "
            f"({count / economy_seconds:,.0f} cases/s); 1,000,000 cases: {per_million:.0f} s "
            f"(extrapolated); portfolio balance {total / 100:,.2f} NOK"
        )
    finally:
        await scratch.service.close()
        await infra.drop_database(name)

    ledger_rates = [r.rates(args.payments)[0] for r in rounds]
    plain_rates = [r.rates(args.payments)[1] for r in rounds]
    ratios = [a / b for a, b in zip(ledger_rates, plain_rates, strict=True)]
    figures = {
        "ledger_payments_per_s": round(statistics.median(ledger_rates)),
        "ledger_range": [round(min(ledger_rates)), round(max(ledger_rates))],
        "plain_payments_per_s": round(statistics.median(plain_rates)),
        "ratio": round(statistics.median(ratios), 2),
        "cpu_us_per_payment_bench_process": round(
            statistics.median(r.ledger_cpu for r in rounds) / args.payments * 1e6
        ),
        "other_cpus_during_ledger": [r.others_cpus for r in rounds],
        "rows_per_payment": {t: round(n / args.payments, 2) for t, n in rounds[-1].rows.items()},
        "economy_cases": count,
        "economy_seconds": round(economy_seconds, 2),
        "economy_cases_per_s": round(count / economy_seconds),
        "economy_1m_seconds_extrapolated": round(per_million),
        "aim_payments_per_s": AIM,
        "aim_met": statistics.median(ledger_rates) >= AIM,
        "late_percent": args.late_percent,
        "late_payments_per_s": (
            round(statistics.median(args.payments / s for s, _, _ in late_rounds))
            if late_rounds
            else None
        ),
        "late_ratio_to_in_order": (
            round(statistics.median(o / s for s, o, _ in late_rounds), 2) if late_rounds else None
        ),
        "late_aim_met": (
            statistics.median(args.payments / s for s, _, _ in late_rounds) >= AIM
            if late_rounds
            else None
        ),
    }
    env["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))
    if args.no_save:
        return
    now = datetime.now(UTC)
    out = BENCH_DIR / "results" / f"ledger-{now:%Y-%m-%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    command = "uv run python bench/ledger_payments.py " + " ".join(sys.argv[1:])
    out.write_text(
        json.dumps(
            {
                "command": command.strip(),
                "when": now.isoformat(),
                "config": vars(args),
                "environment": env,
                "figures": figures,
                "rounds": [r.__dict__ for r in rounds],
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    with (BENCH_DIR / "RESULTS.md").open("a") as fh:
        fh.write(
            f"\n## ledger, {now:%Y-%m-%d %H:%M} UTC\n\n"
            f"`{command.strip()}` — {args.payments} payments per round, "
            f"{args.batch} per transaction, {args.writers} file(s) at a time, "
            f"median of {args.rounds} round(s). "
            f"Machine: nproc {env['nproc']} ({env['cpu']}), load average at start "
            f"{env['loadavg_at_start']}, at end {env['loadavg_at_end']}; Python {env['python']}, "
            f"PostgreSQL {env['postgresql']}; commit {env['git_commit']}.\n\n"
            f"| figure | value |\n| --- | --- |\n"
            f"| payments allocated and posted (all invariants on) | "
            f"**{figures['ledger_payments_per_s']:,}/s** (rounds "
            f"{figures['ledger_range'][0]:,}-{figures['ledger_range'][1]:,}); aim {AIM:,.0f}: "
            f"{'met' if figures['aim_met'] else 'missed'} |\n"
            f"| with {args.late_percent} % of the payments out of order (re-allocated) | "
            f"{figures['late_payments_per_s']}/s; ratio to in order "
            f"{figures['late_ratio_to_in_order']} |\n"
            f"| plain inserts of the same rows | {figures['plain_payments_per_s']:,}/s |\n"
            f"| ratio ledger / plain | {figures['ratio']} |\n"
            f"| rows per payment | {figures['rows_per_payment']} |\n"
            f"| CPUs busy besides this process during the ledger rounds (PostgreSQL, others) "
            f"| {figures['other_cpus_during_ledger']} |\n"
            f"| economy as of {AS_OF} | {count:,} cases in {economy_seconds:.1f} s "
            f"({figures['economy_cases_per_s']:,} cases/s) |\n"
            f"| economy of 1,000,000 cases (extrapolated, linear) | "
            f"{figures['economy_1m_seconds_extrapolated']} s |\n\n"
            f"JSON: `{out.relative_to(REPO)}`.\n"
        )
    print(f"wrote {out.relative_to(REPO)} and a section of bench/RESULTS.md")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--payments", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument(
        "--writers", type=int, default=1, help="bank files imported at the same time"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--late-percent",
        type=float,
        default=10.0,
        help="share of payments arriving after a later-dated one (0: no late rounds)",
    )
    parser.add_argument("--economy-cases", type=int, default=100_000)
    parser.add_argument("--settle", type=float, default=60.0, help="max s to wait for quiet")
    parser.add_argument("--no-save", action="store_true")
    asyncio.run(main(parser.parse_args()))
