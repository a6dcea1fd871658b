"""An importer process killed (SIGKILL) in the middle of a chunk: the job resumes from its
checkpoint to exactly the totals of an undisturbed run, with nothing lost or doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import asyncpg
import pytest
from cases.adapters.orm import cases, import_jobs, import_row_errors, outbox
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from servicekit.db import sync_url
from servicekit.testing.http import asgi_client
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for
from sqlalchemy import func, select

from .conftest import DATA_KEYS, LOOKUP_KEY, add_creditor
from .import_support import creditor_headers, csv_bytes, importer, rows_of, upload

pytestmark = pytest.mark.integration

ROWS = 3000
BAD_EVERY = 10
CHUNK_ROWS = 50


def importer_process(service: CasesService, log: Path) -> subprocess.Popen[bytes]:
    """``python -m cases.entrypoints.importer`` on the test database, small chunks."""
    env = {
        **os.environ,
        "CASES_DATABASE_URL": service.settings.database_url,
        "CASES_DATA_KEYS": DATA_KEYS,
        "CASES_LOOKUP_KEY": LOOKUP_KEY,
        "CASES_ENVIRONMENT": "test",
        "CASES_BUS_NAMESPACE": service.settings.bus_namespace,
        "CASES_IMPORT_CHUNK_ROWS": str(CHUNK_ROWS),
        "CASES_IMPORT_LEASE_SECONDS": "3",
        "CASES_IMPORT_POLL_SECONDS": "0.1",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cases.entrypoints.importer"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def test_a_killed_importer_resumes_from_its_checkpoint_without_duplicates(
    service: CasesService, signer: TestSigner, registration
) -> None:
    creditor_id = await add_creditor(service)
    headers = creditor_headers(signer, creditor_id)
    rows = [
        rows_of(registration(), principal="-1,00")[0]
        if i % BAD_EVERY == 0
        else rows_of(registration())[0]
        for i in range(ROWS)
    ]
    async with asgi_client(create_app(service)) as client:
        response = await upload(client, csv_bytes(rows), headers)
    assert response.status_code == 202, response.text
    job_id = uuid.UUID(response.json()["job_id"])

    async def job() -> asyncpg.Record:
        async with service.session_factory() as session:
            return (
                await session.execute(select(import_jobs).where(import_jobs.c.id == job_id))
            ).one()

    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "importer.log"
        process = importer_process(service, log)
        locker = await asyncpg.connect(sync_url(service.settings.database_url))
        try:

            def alive() -> None:
                if process.poll() is not None:
                    raise AssertionError(f"the importer exited:\n{log.read_text()[-3000:]}")

            async def some_chunks_committed() -> bool:
                return bool((await job()).checkpoint_records >= 4 * CHUNK_ROWS)

            # the importer's start (a new Python process) takes seconds of CPU on a busy machine
            await wait_for(some_chunks_committed, what="chunks committed", alive=alive, seconds=120)
            # Hold the creditor: the importer's next INSERT of a case (its foreign key
            # check) waits, in the middle of a chunk's transaction.
            transaction = locker.transaction()
            await transaction.start()
            await locker.execute(
                "SELECT 1 FROM creditors WHERE organisation_id = $1 FOR UPDATE", creditor_id
            )
            me = await locker.fetchval("SELECT pg_backend_pid()")

            async def importer_waits_on_us() -> bool:
                blocked = await locker.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
                    me,
                )
                return bool(blocked)

            await wait_for(importer_waits_on_us, what="the importer mid-chunk", alive=alive)
            at_kill = await job()
            process.send_signal(signal.SIGKILL)
            await asyncio.to_thread(process.wait)
            await transaction.rollback()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            await locker.close()

    assert process.returncode == -signal.SIGKILL
    assert at_kill.status == "running"
    assert 0 < at_kill.checkpoint_records < ROWS
    assert at_kill.rows_read == at_kill.checkpoint_records

    worker = importer(service, chunk_rows=CHUNK_ROWS)

    async def resumed() -> bool:  # once the dead importer's lease has run out
        return await worker.run_once()

    await wait_for(resumed, what="the job leased again")
    done = await job()
    bad = ROWS // BAD_EVERY
    assert done.status == "completed", done.error
    assert done.attempts == 2
    assert (done.rows_read, done.rows_accepted, done.rows_rejected) == (ROWS, ROWS - bad, bad)
    assert (done.cases_registered, done.cases_rejected) == (ROWS - bad, bad)
    async with service.session_factory() as session:
        counts = (
            await session.execute(
                select(
                    func.count(cases.c.id), func.count(cases.c.creditor_reference.distinct())
                ).where(cases.c.creditor_id == creditor_id)
            )
        ).one()
        errors = await session.scalar(
            select(func.count())
            .select_from(import_row_errors)
            .where(import_row_errors.c.job_id == job_id)
        )
        events = (
            await session.execute(
                select(outbox.c.routing_key, func.count())
                .where(outbox.c.body.contains(str(done.batch_id)))
                .group_by(outbox.c.routing_key)
            )
        ).all()
    assert tuple(counts) == (ROWS - bad, ROWS - bad)
    assert errors == bad
    assert {key.rsplit(".", 1)[0]: n for key, n in events} == {
        "cases.case.registered": ROWS - bad,
        "cases.batch.registered": 1,
    }
