"""Saved reports («Lagrede rapporter»), runs written in the background by the
reports-worker (run in-process here), schedules claimed by racing workers, and the
«ready» mail in a real SMTP mail sink: a link, no content, no personal data."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import openpyxl
import pytest
from reports.adapters.orm import report_runs, report_schedules
from reports.bootstrap import ReportsService
from reports.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.bus import running_consumers
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from simulators.mail import MailSink
from sqlalchemy import func, select, update

from .events import Batch, organisation, wrap

pytestmark = pytest.mark.integration

P = "/api/v1/reports"
DEBTORS = ["Kari Nordmann", "Ola Nordmann", "Per Hansen"]


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    with MailSink(smtp_port=0, http_port=0) as sink:
        yield sink


@pytest.fixture
async def client(service: ReportsService, mail_sink: MailSink) -> AsyncIterator[httpx.AsyncClient]:
    service.settings.smtp_host = mail_sink.host
    service.settings.smtp_port = mail_sink.smtp_port
    service.settings.run_chunk_rows = 2  # progress is recorded per partition
    async with asgi_client(create_app(service)) as client:
        yield client


async def creditor_with_cases(service: ReportsService) -> uuid.UUID:
    creditor = organisation("creditor")
    batch = Batch(creditor.organisation_id)
    for n, name in enumerate(DEBTORS):
        batch.case(100_000 * (n + 1), name)
    async with running_consumers(service) as run:
        for event in (organisation("agency"), creditor, *batch.cases, batch.registered()):
            await run.publish(wrap(event))

        async def projected() -> bool:
            from reports.adapters.orm import cases

            async with service.session_factory() as session:
                count = await session.scalar(
                    select(func.count())
                    .select_from(cases)
                    .where(cases.c.creditor_id == creditor.organisation_id)
                )
            return count == len(DEBTORS)

        await run.wait_for(projected, what="the cases")
    return creditor.organisation_id


def saved_body(**overrides: object) -> dict[str, object]:
    return {
        "name": "Saksliste for revisor",
        "report": "saksliste",
        "filters": {"debtor_kind": "person"},
        "columns": ["saksnummer", "skyldner", "hovedstol"],
        "format": "xlsx",
        **overrides,
    }


async def test_save_list_rename_run_download_delete(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    creditor = await creditor_with_cases(service)
    own = signer.headers(organisation_id=creditor, roles=[Roles.CREDITOR])
    theirs = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR_ADMIN])
    key = {"Idempotency-Key": uuid.uuid4().hex}

    saved = await client.post(f"{P}/saved-reports", json=saved_body(), headers=own | key)
    assert saved.status_code == 201, saved.text
    again = await client.post(f"{P}/saved-reports", json=saved_body(), headers=own | key)
    assert again.json() == saved.json()  # the same key answers once
    assert_problem(
        await client.post(f"{P}/saved-reports", json=saved_body(name="x"), headers=own | key),
        422,
        "idempotency-key-reused",
    )
    sid = saved.json()["saved_report_id"]
    assert saved.json()["organisation_id"] == str(creditor)
    listed = (await client.get(f"{P}/saved-reports", headers=own)).json()["items"]
    assert [s["saved_report_id"] for s in listed] == [sid]
    assert (await client.get(f"{P}/saved-reports", headers=theirs)).json()["items"] == []
    assert_problem(
        await client.get(f"{P}/saved-reports/{sid}", headers=theirs), 404, "saved-report-not-found"
    )
    assert_problem(
        await client.post(f"{P}/saved-reports/{sid}/runs", headers=theirs),
        404,
        "saved-report-not-found",
    )
    assert_problem(
        await client.post(f"{P}/saved-reports", json=saved_body(columns=["nope"]), headers=own),
        422,
        "invalid-saved-report",
    )

    renamed = await client.patch(f"{P}/saved-reports/{sid}", json={"name": "Ny"}, headers=own)
    assert renamed.json()["name"] == "Ny"

    run = await client.post(f"{P}/saved-reports/{sid}/runs", headers=own)
    assert run.status_code == 202
    assert run.json()["status"] == "queued"
    run_id = run.json()["run_id"]
    assert_problem(
        await client.get(f"{P}/report-runs/{run_id}", headers=theirs), 404, "report-run-not-found"
    )

    worker = service.report_worker()
    while await worker.turn():
        pass
    done = (await client.get(f"{P}/report-runs/{run_id}", headers=own)).json()
    assert done["status"] == "done"
    assert (done["rows_written"], done["rows_total"]) == (3, 3)
    content = await client.get(done["content_url"], headers=own)
    assert content.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(content.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("saksnummer", "skyldner", "hovedstol")
    assert sorted(r[1] for r in rows[1:]) == sorted(DEBTORS)
    assert sorted(r[2] for r in rows[1:]) == [1000.0, 2000.0, 3000.0]
    # the run's output is a document: in the documents list, refused to another creditor
    docs = (await client.get(f"{P}/documents", params={"kind": "report_run"}, headers=own)).json()
    assert [d["document_id"] for d in docs["items"]] == [done["document_id"]]
    assert (await client.get(done["content_url"], headers=theirs)).status_code == 404

    history = (
        await client.get(f"{P}/report-runs", params={"saved_report_id": sid}, headers=own)
    ).json()["items"]
    assert [r["run_id"] for r in history] == [run_id]

    assert (await client.delete(f"{P}/saved-reports/{sid}", headers=theirs)).status_code == 404
    assert (await client.delete(f"{P}/saved-reports/{sid}", headers=own)).status_code == 204
    assert (await client.get(f"{P}/saved-reports", headers=own)).json()["items"] == []
    # the run and its document stay
    assert (await client.get(f"{P}/report-runs/{run_id}", headers=own)).status_code == 200


async def test_agency_staff_name_the_creditor(
    client: httpx.AsyncClient, signer: TestSigner
) -> None:
    creditor = uuid.uuid4()
    staff = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.CASE_HANDLER])
    assert_problem(
        await client.post(f"{P}/saved-reports", json=saved_body(), headers=staff),
        422,
        "creditor-required",
    )
    made = await client.post(
        f"{P}/saved-reports", json=saved_body(creditor_id=str(creditor)), headers=staff
    )
    assert made.json()["organisation_id"] == str(creditor)
    own = signer.headers(organisation_id=creditor, roles=[Roles.CREDITOR])
    listed = (await client.get(f"{P}/saved-reports", headers=own)).json()["items"]
    assert [s["saved_report_id"] for s in listed] == [made.json()["saved_report_id"]]
    run = await client.post(
        f"{P}/report-runs",
        json={"report": "nye_saker", "format": "csv", "creditor_id": str(creditor)},
        headers=staff,
    )
    assert run.status_code == 202
    assert run.json()["organisation_id"] == str(creditor)


async def make_due(service: ReportsService, schedule_id: str) -> None:
    async with service.session_factory() as session, session.begin():
        await session.execute(
            update(report_schedules)
            .where(report_schedules.c.schedule_id == uuid.UUID(schedule_id))
            .values(next_run_at=datetime.now(UTC) - timedelta(minutes=1))
        )


async def test_two_workers_racing_for_a_due_schedule_make_one_run(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    creditor = uuid.uuid4()
    own = signer.headers(organisation_id=creditor, roles=[Roles.CREDITOR_ADMIN])
    sid = (await client.post(f"{P}/saved-reports", json=saved_body(), headers=own)).json()[
        "saved_report_id"
    ]
    schedule = await client.post(
        f"{P}/saved-reports/{sid}/schedules", json={"frequency": "weekly"}, headers=own
    )
    assert schedule.status_code == 201, schedule.text
    assert not schedule.json()["notify"]
    await make_due(service, schedule.json()["schedule_id"])
    workers = [service.report_worker() for _ in range(4)]
    queued = await asyncio.gather(*(w.queue_due_schedule() for w in workers))
    assert len([q for q in queued if q is not None]) == 1
    async with service.session_factory() as session:
        mine = uuid.UUID(schedule.json()["schedule_id"])
        runs = (
            await session.execute(select(report_runs).where(report_runs.c.schedule_id == mine))
        ).all()
        next_at = await session.scalar(
            select(report_schedules.c.next_run_at).where(report_schedules.c.schedule_id == mine)
        )
    assert len(runs) == 1
    assert next_at is not None
    assert next_at > datetime.now(UTC) + timedelta(days=6)
    # and nothing more is due
    assert await workers[0].queue_due_schedule() is None


async def test_a_due_schedule_runs_unattended_and_mails_a_link_only(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner, mail_sink: MailSink
) -> None:
    creditor = await creditor_with_cases(service)
    own = signer.headers(organisation_id=creditor, roles=[Roles.CREDITOR])
    sid = (
        await client.post(f"{P}/saved-reports", json=saved_body(format="csv"), headers=own)
    ).json()["saved_report_id"]
    address = f"revisor-{uuid.uuid4().hex[:8]}@example.no"
    schedule = await client.post(
        f"{P}/saved-reports/{sid}/schedules",
        json={"frequency": "daily", "notify_email": address},
        headers=own,
    )
    assert schedule.json()["notify"]
    assert address not in schedule.text  # the address is not echoed back
    await make_due(service, schedule.json()["schedule_id"])

    worker = service.report_worker()  # nobody signed in: the worker alone
    while await worker.turn():  # (runs other tests left in this database go first)
        pass

    runs = (await client.get(f"{P}/report-runs", headers=own)).json()["items"]
    assert [(r["status"], r["scheduled"]) for r in runs] == [("done", True)]
    csv = (await client.get(runs[0]["content_url"], headers=own)).content.decode("utf-8-sig")
    assert "Kari Nordmann" in csv
    mails = mail_sink.store.entries(to=address)
    assert len(mails) == 1
    message = mail_sink.store.describe(mails[0])
    assert message is not None
    body = message["text"]
    assert "http://127.0.0.1:8000/rapporter/lagrede" in body
    for secret in [*DEBTORS, "saksliste", "Saksliste for revisor", str(creditor), address]:
        assert secret not in body
        assert secret not in message["subject"]
