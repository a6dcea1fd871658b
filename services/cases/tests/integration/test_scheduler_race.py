"""Two scheduler processes race over the same due cases: each step is taken exactly once.

Both processes (real OS processes running ``python -m cases.entrypoints.scheduler --once``)
are held at the starting line by a table lock the test holds, so they start claiming at
the same moment; small batches make them interleave. The race runs on a database of its
own, so that every due case in it is one of the test's.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from cases.adapters.orm import cases, outbox
from cases.bootstrap import CasesService, bootstrap
from cases.service_layer import workflow
from cases.settings import CasesSettings
from servicekit.testing import infra
from servicekit.testing.wait import wait_for
from sqlalchemy import func, select, text, update

from .conftest import ALEMBIC_INI, DATA_KEYS, LOOKUP_KEY
from .workflow_support import case, events_of, register_cases, timeline_of

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[4]
PER_GROUP = 40


async def _start_scheduler(database_url: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "CASES_DATABASE_URL": database_url,
        "CASES_ENVIRONMENT": "test",
        "CASES_SCHEDULER_BATCH_SIZE": "7",
        "CASES_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cases.entrypoints.scheduler",
        "--once",
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.fixture
async def race_service(infrastructure: None) -> AsyncIterator[CasesService]:
    """The cases service on a fresh database of its own."""
    name = f"{infra.run_database_name('cases')}_race"
    url = await infra.create_migrated_database(name, ALEMBIC_INI)
    service = bootstrap(
        CasesSettings(
            environment="test", database_url=url, data_keys=DATA_KEYS, lookup_key=LOOKUP_KEY
        )
    )
    try:
        yield service
    finally:
        await service.close()
        await infra.drop_database(name)


async def test_two_scheduler_processes_take_every_step_exactly_once(
    race_service: CasesService,
) -> None:
    service = race_service
    today = service.clock.today()
    creditor_id, registered = await register_cases(service, count=PER_GROUP)
    _, noticed = await register_cases(service, creditor_id, count=PER_GROUP)
    _, demanded = await register_cases(service, creditor_id, count=PER_GROUP)
    async with service.session_factory() as session:
        # cases whose inkassovarsel / betalingsoppfordring deadline ran out yesterday
        await session.execute(
            update(cases)
            .where(cases.c.id.in_(noticed))
            .values(
                status="notice_sent",
                deadline=today - timedelta(days=2),
                next_step_on=today - timedelta(days=1),
            )
        )
        await session.execute(
            update(cases)
            .where(cases.c.id.in_(demanded))
            .values(
                status="demand_sent",
                deadline=today - timedelta(days=2),
                demand_sent_on=today - timedelta(days=16),
                next_step_on=today - timedelta(days=1),
            )
        )
        await session.commit()

    database = service.engine.url.database
    async with service.engine.connect() as barrier:
        await barrier.execute(text("LOCK TABLE cases IN EXCLUSIVE MODE"))
        first = await _start_scheduler(service.settings.database_url)
        second = await _start_scheduler(service.settings.database_url)
        try:

            async def both_waiting() -> bool:
                async with service.engine.connect() as conn:
                    waiting = await conn.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = :db "
                            "AND wait_event_type = 'Lock' AND query LIKE '%SKIP LOCKED%'"
                        ),
                        {"db": database},
                    )
                for process in (first, second):
                    if process.returncode is not None:
                        raise AssertionError(f"a scheduler exited early: {process.returncode}")
                return waiting == 2

            await wait_for(both_waiting, what="both schedulers at the starting line", seconds=60)
        finally:
            await barrier.rollback()  # the lock goes: both start claiming at once
        outputs = await asyncio.wait_for(
            asyncio.gather(first.communicate(), second.communicate()), timeout=120
        )

    runs = []
    for process, (stdout, stderr) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, stderr.decode()
        runs.append(json.loads(stdout.decode().strip().splitlines()[-1]))
    print("scheduler runs:", runs)  # how the two shared the work (not asserted: timing)
    assert sum(r["cases"] for r in runs) == 3 * PER_GROUP, runs
    assert sum(r["steps"] for r in runs) == 2 * PER_GROUP
    assert sum(r["attention"] for r in runs) == PER_GROUP
    async with service.session_factory() as session:
        published = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.event_type == "cases.case.status_changed")
        )
    assert published == 2 * PER_GROUP

    expected = {
        **dict.fromkeys(registered, ("inkassovarsel_sent", "notice_sent")),
        **dict.fromkeys(noticed, ("betalingsoppfordring_sent", "demand_sent")),
    }
    for case_id, (step, status) in expected.items():
        row = await case(service, case_id)
        assert row["status"] == status
        assert row["version"] == 2  # one change
        entries = await timeline_of(service, case_id)
        assert Counter(e["step"] for e in entries if e["kind"] == "status_changed") == {step: 1}
        changed = await events_of(service, case_id, "cases.case.status_changed")
        assert [e["step"] for e in changed] == [step]
    for case_id in demanded:
        row = await case(service, case_id)
        assert (row["status"], row["needs_attention"], row["version"]) == (
            "demand_sent",
            "legal_decision",
            2,
        )
        entries = await timeline_of(service, case_id)
        assert [e["step"] for e in entries if e["kind"] == "attention"] == ["legal_decision_due"]
        assert await events_of(service, case_id, "cases.case.status_changed") == []

    # and running again the same day changes none of them
    await workflow.run_due(service.unit_of_work, service.workflow(), batch_size=50)
    for case_id in [*registered, *noticed, *demanded]:
        assert (await case(service, case_id))["version"] == 2
