"""Documents rendered out of the consumer's transaction (ADR 0066): a renderer process
killed (SIGKILL) in the middle of a render loses nothing and the document is issued once,
with the id its job chose; a job whose render keeps failing fails once, after its attempts,
while the other jobs render (two renderers side by side, each document once); and the
projection keeps applying events while a render is slow."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from contracts.reports import DocumentIssued
from prometheus_client import REGISTRY
from reports.adapters.document_jobs import ORDER_CONFIRMATION
from reports.adapters.orm import cases, document_jobs
from reports.adapters.rendering import PdfDocuments
from reports.bootstrap import ReportsService
from reports.domain.order_confirmation import OrderConfirmation
from servicekit.testing.bus import running_consumers
from servicekit.testing.wait import wait_for
from sqlalchemy import func, select, text

from .events import Batch, organisation, wrap
from .rendering import jobs_waiting, rendered, running_renderer
from .test_catalogue import balance, status
from .test_documents import documents_of, issued_events

pytestmark = pytest.mark.integration


async def job_of(service: ReportsService, batch_id: uuid.UUID) -> dict[str, Any] | None:
    async with service.session_factory() as session:
        row = (
            await session.execute(
                select(document_jobs).where(
                    document_jobs.c.kind == ORDER_CONFIRMATION,
                    document_jobs.c.source_id == batch_id,
                )
            )
        ).first()
    return None if row is None else dict(row._mapping)


async def locked_by_a_render(service: ReportsService, job_id: uuid.UUID) -> bool:
    """The job's row is held by a render's transaction (a claim would skip it)."""
    async with service.session_factory() as session, session.begin():
        free = await session.scalar(
            text("SELECT job_id FROM document_jobs WHERE job_id = :id FOR UPDATE SKIP LOCKED"),
            {"id": job_id},
        )
    return free is None


async def drained(service: ReportsService) -> None:
    """Render what other tests left waiting (they share the database)."""
    async with running_renderer(service):
        await rendered(service)


async def register(service: ReportsService, batches: Sequence[Batch], *extra: Any) -> None:
    """Publish the organisations, the batches and their cases; wait until applied."""
    agency = organisation("agency", "InfoCenter Inkasso AS")
    creditor = organisation("creditor")
    creditor = creditor.model_copy(update={"organisation_id": batches[0].creditor_id})
    events = [agency, creditor, *extra]
    for batch in batches:
        events += [*batch.cases, batch.registered()]
    async with running_consumers(service) as run:
        for event in events:
            await run.publish(wrap(event))
        await run.settled(handled=len(events), seconds=120)
        assert run.outcomes()["dead_lettered"] == 0


def renderer_process(service: ReportsService, log: Path) -> subprocess.Popen[bytes]:
    """``python -m reports.entrypoints.renderer`` on the test database, a short lease."""
    env = {
        **os.environ,
        "REPORTS_DATABASE_URL": service.settings.database_url,
        "REPORTS_ENVIRONMENT": "test",
        "REPORTS_BUS_NAMESPACE": service.settings.bus_namespace,
        "REPORTS_RENDERER_LEASE_SECONDS": "2",
        "REPORTS_RENDERER_POLL_SECONDS": "0.1",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "reports.entrypoints.renderer"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def test_a_renderer_killed_mid_render_loses_nothing_and_the_document_is_issued_once(
    service: ReportsService,
) -> None:
    await drained(service)  # other tests' jobs first: this one is the only one waiting
    creditor_id = uuid.uuid4()
    batch = Batch(creditor_id)
    for n in range(300):  # a render of a few seconds: long enough to be killed in
        batch.case(10_000 + n, f"Skyldner {n}")
    await register(service, [batch])
    job = await job_of(service, batch.batch_id)
    assert job is not None
    assert (job["status"], job["attempts"]) == ("queued", 0)
    assert await documents_of(service, batch.batch_id) == []

    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "renderer.log"
        process = renderer_process(service, log)
        try:
            await wait_for(
                lambda: locked_by_a_render(service, job["job_id"]),
                what="the renderer process rendering the job",
                seconds=90,
                every=0.05,
            )
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL, log.read_text()

    # killed in its render: nothing issued, the job still its (the lease not yet run out)
    assert await documents_of(service, batch.batch_id) == []
    killed = await job_of(service, batch.batch_id)
    assert killed is not None
    assert (killed["status"], killed["attempts"]) == ("rendering", 1)
    assert str(process.pid) in killed["lease_owner"]

    async with running_renderer(service):
        await rendered(service)
    assert await job_of(service, batch.batch_id) is None  # done: the job goes
    (document,) = await documents_of(service, batch.batch_id)
    assert document["document_id"] == job["document_id"]  # the id its job chose
    announced = [
        e for e in await issued_events(service, creditor_id) if e.kind == ORDER_CONFIRMATION
    ]
    assert [e.document_id for e in announced] == [job["document_id"]]


class FailingFor(PdfDocuments):
    """Renders, except the order confirmation of one batch (its render always raises)."""

    def __init__(self, poison: str) -> None:
        super().__init__()
        self.poison = poison
        self.tries = 0

    def order_confirmation(self, confirmation: OrderConfirmation, *, issued_at: datetime) -> bytes:
        if confirmation.batch_number == self.poison:
            self.tries += 1
            raise RuntimeError(f"cannot render {confirmation.cases[0].debtor_name}")
        return b"%PDF-1.7 " + confirmation.batch_number.encode()


def failed_total(kind: str) -> float:
    return REGISTRY.get_sample_value("reports_document_jobs_failed_total", {"kind": kind}) or 0.0


async def test_a_job_that_keeps_failing_fails_once_and_the_others_render_once_each(
    service: ReportsService, caplog: pytest.LogCaptureFixture
) -> None:
    creditor_id = uuid.uuid4()
    batches = [Batch(creditor_id) for _ in range(6)]
    for batch in batches:
        batch.case(50_000, "Kari Poisonsdottir")
    poison = batches[2]
    await register(service, batches)
    renderer = FailingFor(poison.number)
    service.issuer = dataclasses.replace(service.issuer, renderer=renderer)
    attempts = service.settings.renderer_max_attempts
    before = failed_total(ORDER_CONFIRMATION)

    with caplog.at_level(logging.INFO, logger="reports"):
        async with running_renderer(service), running_renderer(service):  # two, side by side
            await rendered(service)
            assert await jobs_waiting(service) == 0

    failed = await job_of(service, poison.batch_id)
    assert failed is not None
    assert (failed["status"], failed["attempts"], failed["error"]) == (
        "failed",
        attempts,
        "RuntimeError",
    )
    assert renderer.tries == attempts
    assert failed_total(ORDER_CONFIRMATION) - before == 1
    given_up = [r for r in caplog.records if "failed after" in r.getMessage()]
    assert len(given_up) == 1
    assert str(poison.batch_id) in given_up[0].getMessage()
    assert not [r for r in caplog.records if "Poisonsdottir" in r.getMessage()]  # no data
    assert await documents_of(service, poison.batch_id) == []

    announced = await issued_events(service, creditor_id)
    for batch in batches:
        if batch is poison:
            continue
        (document,) = await documents_of(service, batch.batch_id)
        assert document["content"] == b"%PDF-1.7 " + batch.number.encode()
        assert [e.document_id for e in announced if e.document_id == document["document_id"]] == [
            document["document_id"]
        ]
    assert len(announced) == len(batches) - 1
    assert all(isinstance(e, DocumentIssued) for e in announced)


class Gated(PdfDocuments):
    """Renders once its gate opens (a render that takes as long as the test wants)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def order_confirmation(self, confirmation: OrderConfirmation, *, issued_at: datetime) -> bytes:
        assert self.gate.wait(timeout=120), "the test never opened the renderer's gate"
        return super().order_confirmation(confirmation, issued_at=issued_at)


async def test_the_projection_keeps_up_while_a_document_renders(
    service: ReportsService,
) -> None:
    await drained(service)
    creditor_id = uuid.uuid4()
    batch = Batch(creditor_id)
    for n in range(5):
        batch.case(100_000 + n, f"Skyldner {n}")
    renderer = Gated()
    service.issuer = dataclasses.replace(service.issuer, renderer=renderer)
    t0 = datetime(2026, 3, 3, 10, tzinfo=UTC)
    async with running_consumers(service) as run, running_renderer(service):
        try:
            agency = organisation("agency", "InfoCenter Inkasso AS")
            creditor = organisation("creditor").model_copy(update={"organisation_id": creditor_id})
            for event in (agency, creditor, *batch.cases, batch.registered()):
                await run.publish(wrap(event))
            job = await run.wait_for(
                lambda: job_of(service, batch.batch_id), what="the confirmation's job"
            )
            await run.wait_for(
                lambda: locked_by_a_render(service, job["job_id"]), what="its render under way"
            )
            # while the confirmation renders, the cases' statuses and balances are applied
            for case in batch.cases:
                await run.publish(wrap(status(case.case_id, creditor_id, "notice_sent", t0)))
                await run.publish(
                    wrap(balance(case.case_id, creditor_id, 90_000, t0 + timedelta(1)))
                )

            async def applied() -> bool:
                async with service.session_factory() as session:
                    count = await session.scalar(
                        select(func.count())
                        .select_from(cases)
                        .where(
                            cases.c.batch_id == batch.batch_id,
                            cases.c.balance_ore == 97_100,
                            cases.c.status == "notice_sent",
                        )
                    )
                return count == len(batch.cases)

            await run.wait_for(applied, what="statuses and balances applied", seconds=60)
            assert await documents_of(service, batch.batch_id) == []  # still rendering
            assert await locked_by_a_render(service, job["job_id"])
            renderer.gate.set()
            await rendered(service)
        finally:
            renderer.gate.set()  # before the renderer is stopped: it finishes its render
    (document,) = await documents_of(service, batch.batch_id)
    assert document["document_id"] == job["document_id"]
