"""The whole-stack fault run (issue 15 §5): while bank files of payments are read in, cases
registered, notes written and the portal read through the gateway, the workflow scheduler
is killed with SIGKILL and PostgreSQL restarted; then, while ten case files (10,000 rows)
are imported as well, every other process of ours is killed with SIGKILL in turn (each
API, relay, consumer and worker, then the gateway) and RabbitMQ is restarted. Afterwards
every effect must be there exactly once: each imported and each registered case in
cases, ledger and reports; each payment booked once (and in reports) and the journal
balanced; each note answered with a 2xx written once; no event left in an outbox; no dead
letter; and the supervisor must have restarted every process it lost.

``make chaos`` runs it alone (``INFOCENTER_CHAOS_ROWS`` sets the rows imported, 10,000
by default). It restarts the shared broker and PostgreSQL: it runs last in ``make test``
and hurts anything else using them at that moment. Its table of faults and checks is
written to ``var/chaos/`` and shown in pytest's terminal summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from devstack.stack import Stack, repo_root
from servicekit.testing.wait import wait_for

from ..e2e.cases_support import register
from ..e2e.identity import Login, sign_in
from .checks import (
    Check,
    Databases,
    case_ids,
    counted,
    journal_imbalance,
    payments_booked,
    queue_messages,
    unsent,
)
from .faults import (
    Fault,
    all_ready,
    kill_and_await_restart,
    our_processes,
    restart_broker,
    restart_postgres,
)
from .traffic import Session, Traffic, a_case

pytestmark = [pytest.mark.disruptive, pytest.mark.timeout(1200)]

ROWS = int(os.environ.get("INFOCENTER_CHAOS_ROWS", "10000"))
ROWS_PER_FILE = max(ROWS // 10, 1)
CREDITOR = "kari@nordlys.example"
CASE_HANDLER = "saksbehandler@infocenter.example"
SETTLE_SECONDS = 300.0
"""How long the stack may take, after the last fault, to bring every effect about."""


def logins(stack: Stack) -> dict[str, Login]:
    seeded = stack.seed_demo() or []
    return {
        e["email"]: Login(e["email"], e["password"], e["totp_secret"], tuple(e["roles"]))
        for e in seeded
    }


async def keep_fresh(*sessions: Session, margin: float = 150.0) -> None:
    """Refresh the tokens that expire within ``margin`` seconds now, between faults: a
    refresh whose answer a fault cuts would spend the refresh token unseen."""
    for session in sessions:
        await session.refresh_if_due(margin)


async def running_import(db: Databases) -> bool:
    with contextlib.suppress(Exception):
        return bool(await db.value("cases", "SELECT 1 FROM import_jobs WHERE status = 'running'"))
    return False


def table(faults: list[Fault], checks: list[Check], traffic: Traffic, seconds: float) -> str:
    lines = [
        f"Whole-stack fault run, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {seconds:.0f} s, "
        f"{ROWS:,} rows imported in {len(traffic.import_jobs)} files",
        "",
        "| at | fault | target | back and ready in | detail |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {f.at:.0f} s | {f.what} | {f.target} | {f.seconds_to_recover:.1f} s | {f.detail} |"
            for f in faults
        ),
        "",
        "| traffic | 2xx | other answers | retries |",
        "| --- | --- | --- | --- |",
        *(
            f"| {name} | {t.ok} | "
            + (
                ", ".join(
                    f"{k}: {v}" for k, v in sorted(t.answers.items()) if not k.startswith("2")
                )
                or "-"
            )
            + f" | {t.retries} |"
            for name, t in sorted(traffic.tallies.items())
        ),
        "",
        *(
            f"- {name}, first {status}: {sample}"
            for name, t in sorted(traffic.tallies.items())
            for status, sample in sorted(t.samples.items())
        ),
        "",
        "| effect checked | expected | found | |",
        "| --- | --- | --- | --- |",
        *(
            f"| {c.what} | {c.expected} | {c.found} | {'ok' if c.ok else 'FAILED'} |"
            for c in checks
        ),
    ]
    return "\n".join(lines)


async def test_every_effect_survives_every_process_killed_and_the_infrastructure_restarted(
    supervised_stack: Stack, fault_report: Callable[[str], None]
) -> None:
    stack = supervised_stack
    started = time.monotonic()
    run = f"CH{uuid.uuid4().hex[:6].upper()}"
    people = logins(stack)
    db = Databases(stack)
    faults: list[Fault] = []

    async def ledger_kids(n: int) -> list[str]:
        with contextlib.suppress(Exception):
            rows = await db.fetch(
                "ledger", "SELECT kid FROM ledger_cases ORDER BY random() LIMIT $1", n
            )
            return [r["kid"] for r in rows]
        return []

    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        creditor = Session(await sign_in(client, people[CREDITOR]))
        handler = Session(await sign_in(client, people[CASE_HANDLER]))
        first = await register(client, creditor.signed_in, a_case(f"{run}-R-first"))
        traffic = Traffic(client, creditor, handler, run, ROWS, ROWS_PER_FILE, ledger_kids)
        traffic.registered.append(first)
        loops = [
            asyncio.create_task(traffic.payments_loop(every=2.0), name="payments"),
            asyncio.create_task(traffic.registrations_loop(every=1.0), name="registrations"),
            asyncio.create_task(traffic.notes_loop(every=1.0), name="notes"),
            asyncio.create_task(traffic.reads_loop(every=0.3), name="reads"),
        ]

        def loops_alive() -> None:
            for task in loops:
                if task.done() and not task.cancelled() and task.exception() is not None:
                    raise AssertionError(f"the {task.get_name()} loop failed: {task.exception()!r}")

        async def inject(fault: Awaitable[Fault]) -> None:
            loops_alive()
            at = time.monotonic() - started
            faults.append(replace(await fault, at=at))
            await keep_fresh(creditor, handler)

        processes = {p.name: p for p in our_processes(stack)}
        try:
            # The scheduler first, and PostgreSQL, before the case files: the scheduler
            # sweeps the cases due as it (re)starts, and every imported case is due for its
            # inkassovarsel, a PDF each (see CHAOS_STACK_ENV in conftest.py).
            await inject(kill_and_await_restart(stack, processes.pop("cases-scheduler")))
            await inject(restart_postgres(stack))
            imports = asyncio.create_task(traffic.imports(spacing=5.0), name="imports")
            loops.append(imports)
            for name, spec in processes.items():
                if name == "cases-importer":
                    with contextlib.suppress(AssertionError):
                        await wait_for(
                            lambda: running_import(db), what="an import under way", seconds=30
                        )
                await inject(kill_and_await_restart(stack, spec))
            await inject(restart_broker(stack))
            ready_from = time.monotonic()
            await all_ready(stack, seconds=180)
            faults.append(
                Fault(
                    "-",
                    "every process ready again",
                    time.monotonic() - ready_from,
                    "",
                    ready_from - started,
                )
            )
            await imports  # every file uploaded
        except BaseException:
            fault_report(table(faults, [], traffic, time.monotonic() - started))
            raise
        finally:
            traffic.stop.set()
            outcomes = await asyncio.gather(*loops, return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        assert not failures, f"a traffic loop failed: {failures!r}"

        jobs = await traffic.follow_imports(seconds=SETTLE_SECONDS)

    imported_refs = [f"{run}-{n}" for n in range(ROWS)]
    registered_refs = [c["creditor_reference"] for c in traffic.registered]
    found = await case_ids(db, imported_refs + registered_refs)
    ids = [i for ref in imported_refs + registered_refs for i in found.get(ref, [])]

    async def settled() -> bool:
        with contextlib.suppress(Exception):
            return (
                await counted(db, "ledger", "ledger_cases", "case_id", ids) == len(ids)
                and await counted(db, "reports", "cases", "case_id", ids) == len(ids)
                and await unsent(db) == 0
            )
        return False

    with contextlib.suppress(AssertionError):  # the checks below say what is missing
        await wait_for(settled, what="every effect", seconds=SETTLE_SECONDS, every=1.0)

    booked = await payments_booked(db, [kid for kid, _ in traffic.payments])
    ledger_payment_ids = {
        str(r["payment_id"])
        for r in await db.fetch(
            "ledger",
            "SELECT payment_id FROM payments WHERE kid = ANY($1::text[])",
            list({kid for kid, _ in traffic.payments}),
        )
    }

    async def payments_projected() -> bool:
        with contextlib.suppress(Exception):
            return await counted(
                db, "reports", "payments", "payment_id", sorted(ledger_payment_ids)
            ) == len(ledger_payment_ids)
        return False

    with contextlib.suppress(AssertionError):
        await wait_for(payments_projected, what="the payments in reports", seconds=60, every=1.0)
    payments_in_reports = await counted(
        db, "reports", "payments", "payment_id", sorted(ledger_payment_ids)
    )

    notes_found = Counter(
        r["body"]
        for r in await db.fetch(
            "cases", "SELECT body FROM notes WHERE body = ANY($1::text[])", traffic.note_bodies
        )
    )
    note_ids_found = {
        str(r["id"])
        for r in await db.fetch(
            "cases", "SELECT id FROM notes WHERE id = ANY($1::uuid[])", list(traffic.notes)
        )
    }
    total, unbalanced = await journal_imbalance(db)
    depths = await queue_messages(stack.config.bus_namespace)
    dead = {name: n for name, n in depths.items() if name.endswith(".dlq") and n}
    restarts = stack.restarts()
    killed = [f.target for f in faults if f.what == "SIGKILL"]
    not_restarted = [name for name in killed if restarts.get(name, 0) < 1]
    in_ledger = await counted(db, "ledger", "ledger_cases", "case_id", ids)
    in_reports = await counted(db, "reports", "cases", "case_id", ids)
    await db.close()

    def once(refs: list[str]) -> str:
        counts = Counter(len(found.get(ref, [])) for ref in refs)
        return ", ".join(f"{n}x: {k}" for n, k in sorted(counts.items()))

    checks = [
        Check(
            "import jobs completed",
            f"{len(traffic.import_jobs)} completed",
            f"{sum(j['status'] == 'completed' for j in jobs)} completed",
        ),
        Check(
            "rows accepted by the imports",
            str(ROWS),
            str(sum(int(j["rows_accepted"]) for j in jobs)),
        ),
        Check("imported cases in cases (per reference)", f"1x: {ROWS}", once(imported_refs)),
        Check(
            "cases registered with a 2xx, in cases",
            f"1x: {len(registered_refs)}",
            once(registered_refs),
        ),
        Check("those cases in the ledger", str(len(ids)), str(in_ledger)),
        Check("those cases in reports", str(len(ids)), str(in_reports)),
        Check(
            "payments in bank files answered 2xx, booked (KID, amount)",
            str(len(traffic.payments)),
            str(sum((booked & Counter(traffic.payments)).values())),
        ),
        Check(
            "payments booked more than sent",
            "0",
            str(sum((booked - Counter(traffic.payments)).values())),
        ),
        Check(
            "payment ids answered, in the ledger",
            str(len(traffic.payment_ids)),
            str(len(traffic.payment_ids & ledger_payment_ids)),
        ),
        Check(
            "those payments in reports",
            str(len(ledger_payment_ids)),
            str(payments_in_reports),
        ),
        Check("journal: sum of all postings (øre)", "0", str(total)),
        Check("journal: entries not summing to zero", "0", str(unbalanced)),
        Check(
            "notes answered 2xx, present",
            str(len(traffic.notes)),
            str(len(note_ids_found)),
        ),
        Check(
            "notes written once (per body)",
            f"1x: {len(traffic.note_bodies)}",
            ", ".join(
                f"{n}x: {k}"
                for n, k in sorted(Counter(notes_found[b] for b in traffic.note_bodies).items())
            ),
        ),
        Check("notes a later read did not show", "0", str(len(traffic.reads_missing_notes))),
        Check("events left in the outboxes", "0", str(await _unsent_after(stack))),
        Check("dead letters", "0", str(sum(dead.values())) + (f" {dead}" if dead else "")),
        Check(
            "processes killed and restarted by the supervisor",
            str(len(killed)),
            str(len(killed) - len(not_restarted))
            + (f" (not: {', '.join(not_restarted)})" if not_restarted else ""),
        ),
    ]
    report = table(faults, checks, traffic, time.monotonic() - started)
    out = repo_root() / "var" / "chaos" / f"fault-run-{stack.config.name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n", encoding="utf-8")
    fault_report(report + f"\n\n(kept in {out})")
    failed = [c for c in checks if not c.ok]
    assert not failed, "\n" + report


async def _unsent_after(stack: Stack) -> int:
    db = Databases(stack)
    try:
        return await unsent(db)
    finally:
        await db.close()
