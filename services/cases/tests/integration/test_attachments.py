"""Files on notes, both ways between creditor and case handler, with a real clamd.

The tests start Debian's clamd on a free port with a one-signature database (EICAR, in
ClamAV's ``.ndb`` format): EICAR is refused and quarantined; a clean PDF a creditor attaches
is downloaded by the case handler (and the download audited); with clamd stopped a file is
held (``pending``, 409 on download) until clamd is back and the scheduler's rescan releases
it; another organisation gets 404; kind and size limits answer problem+json field codes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cases.adapters.clamd import ClamdScanner
from cases.adapters.orm import attachment_contents, note_attachments, personal_data_access
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from cases.entrypoints.scheduler import rescan_held_files
from cases.service_layer import attachments
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for
from sqlalchemy import func, select

from .clamd_support import EICAR, LocalClamd
from .conftest import add_creditor
from .test_cases_api import Caller, caller, register

pytestmark = pytest.mark.integration

P = "/api/v1/cases"
CLEAN_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EICAR_PDF = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class LaterClock:
    """The system clock moved on, so held files are due for their next scan."""

    def __init__(self, ahead: timedelta) -> None:
        self.ahead = ahead

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead

    def today(self) -> date:
        return self.now().date()


@pytest.fixture
async def clamd(tmp_path: Path) -> AsyncIterator[LocalClamd]:
    local = LocalClamd(tmp_path / "clamd")
    await local.start()
    yield local
    local.stop()


@pytest.fixture
async def world(service: CasesService, signer: TestSigner) -> dict[str, Caller]:
    """Two creditors' users and a case handler."""
    first, second = await add_creditor(service), await add_creditor(service)
    return {
        "kari": caller(signer, first, Roles.CREDITOR),
        "other": caller(signer, second, Roles.CREDITOR_ADMIN, Roles.CREDITOR),
        "handler": caller(signer, uuid.uuid4(), Roles.CASE_HANDLER),
    }


@pytest.fixture
def scanning(service: CasesService, clamd: LocalClamd) -> CasesService:
    """The service, scanning with the test's clamd."""
    service.scanner = ClamdScanner(clamd.address, timeout_seconds=10)
    return service


async def _note(client: httpx.AsyncClient, case_id: str, who: Caller, body: str) -> str:
    response = await client.post(f"{P}/{case_id}/notes", json={"body": body}, headers=who.headers)
    assert response.status_code == 201, response.text
    note_id: str = response.json()["note_id"]
    return note_id


async def _attach(
    client: httpx.AsyncClient, case_id: str, note_id: str, who: Caller, data: bytes, name: str
) -> httpx.Response:
    return await client.post(
        f"{P}/{case_id}/notes/{note_id}/attachments",
        params={"filename": name},
        content=data,
        headers={**who.headers, "Content-Type": "application/octet-stream"},
    )


async def _files(client: httpx.AsyncClient, case_id: str, who: Caller) -> list[dict[str, Any]]:
    response = await client.get(f"{P}/{case_id}/notes", headers=who.headers)
    assert response.status_code == 200, response.text
    return [a for note in response.json() for a in note["attachments"]]


async def test_a_clean_pdf_goes_both_ways_and_downloads_are_audited(
    scanning: CasesService, world: dict[str, Caller]
) -> None:
    kari, other, handler = world["kari"], world["other"], world["handler"]
    async with asgi_client(create_app(scanning)) as client:
        case = await register(client, kari)
        case_id = case["case_id"]
        asked = await _note(client, case_id, kari, "Kopi av faktura vedlagt.")
        sent = await _attach(client, case_id, asked, kari, CLEAN_PDF, "../../faktura 10001.pdf")
        assert sent.status_code == 201, sent.text
        stored = sent.json()
        assert (stored["status"], stored["media_type"]) == ("clean", "application/pdf")
        assert stored["filename"] == "faktura 10001.pdf"

        listed = await _files(client, case_id, handler)
        assert [(a["attachment_id"], a["status"]) for a in listed] == [
            (stored["attachment_id"], "clean")
        ]
        path = f"{P}/{case_id}/attachments/{stored['attachment_id']}"
        got = await client.get(path, headers=handler.headers)
        assert got.status_code == 200, got.text
        assert got.content == CLEAN_PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["x-content-type-options"] == "nosniff"

        # the answer from the case handler, with a picture, reaches the creditor
        answer = await _note(client, case_id, handler, "Takk, se skjermbilde.")
        picture = await _attach(client, case_id, answer, handler, PNG, "skjerm.jpg")
        assert picture.status_code == 201, picture.text
        assert picture.json()["filename"] == "skjerm.png"  # the content decides
        back = await client.get(
            f"{P}/{case_id}/attachments/{picture.json()['attachment_id']}", headers=kari.headers
        )
        assert (back.status_code, back.content) == (200, PNG)

        # another organisation: 404 for the file and for attaching to the note
        assert_problem(await client.get(path, headers=other.headers), 404, "not-found")
        assert_problem(
            await _attach(client, case_id, asked, other, CLEAN_PDF, "x.pdf"), 404, "not-found"
        )
        # nobody attaches to someone else's note
        assert_problem(
            await _attach(client, case_id, asked, handler, CLEAN_PDF, "x.pdf"), 404, "not-found"
        )

    async with scanning.session_factory() as session:
        actions = (
            await session.execute(
                select(personal_data_access.c.actor_id, personal_data_access.c.detail).where(
                    personal_data_access.c.action == "download_attachment",
                    personal_data_access.c.case_id == uuid.UUID(case_id),
                )
            )
        ).all()
    assert {(a.actor_id, a.detail["attachment_id"]) for a in actions} == {
        (handler.user_id, stored["attachment_id"]),
        (kari.user_id, picture.json()["attachment_id"]),
    }


async def test_eicar_is_refused_and_quarantined(
    scanning: CasesService, world: dict[str, Caller]
) -> None:
    kari, handler = world["kari"], world["handler"]
    async with asgi_client(create_app(scanning)) as client:
        case = await register(client, kari)
        note = await _note(client, case["case_id"], kari, "Se vedlegg")
        refused = await _attach(client, case["case_id"], note, kari, EICAR_PDF, "eicar.pdf")
        problem = assert_problem(refused, 422, "attachment-infected")
        assert [(e["field"], e["code"]) for e in problem["errors"]] == [("file", "file_infected")]

        [held] = await _files(client, case["case_id"], handler)
        assert held["status"] == "quarantined"
        path = f"{P}/{case['case_id']}/attachments/{held['attachment_id']}"
        assert_problem(
            await client.get(path, headers=handler.headers), 409, "attachment-not-released"
        )
    async with scanning.session_factory() as session:
        kept = await session.scalar(
            select(func.count())
            .select_from(attachment_contents)
            .where(attachment_contents.c.attachment_id == uuid.UUID(held["attachment_id"]))
        )
        signature = await session.scalar(
            select(note_attachments.c.signature).where(
                note_attachments.c.id == uuid.UUID(held["attachment_id"])
            )
        )
    assert kept == 0  # the malware's bytes are not kept
    assert signature is not None
    assert "Eicar" in signature


async def test_with_the_scanner_down_a_file_is_held_until_it_is_back(
    scanning: CasesService, clamd: LocalClamd, world: dict[str, Caller]
) -> None:
    kari, handler = world["kari"], world["handler"]

    async def rescan(hours: int) -> attachments.RescanPass:
        return await attachments.rescan_pending(
            scanning.unit_of_work,
            scanner=scanning.scanner,
            keyring=scanning.attachment_keyring,
            clock=LaterClock(timedelta(hours=hours)),
            batch_size=50,
        )

    async with asgi_client(create_app(scanning)) as client:
        case = await register(client, kari)
        note = await _note(client, case["case_id"], kari, "Vedlegg mens skanneren er nede")
        clamd.stop()
        held = await _attach(client, case["case_id"], note, kari, CLEAN_PDF, "brev.pdf")
        assert held.status_code == 202, held.text
        assert held.json()["status"] == "pending"
        bad = await _attach(client, case["case_id"], note, kari, EICAR_PDF, "ikke-se.pdf")
        assert bad.status_code == 202, bad.text
        path = f"{P}/{case['case_id']}/attachments/{held.json()['attachment_id']}"
        assert_problem(
            await client.get(path, headers=handler.headers), 409, "attachment-not-released"
        )

        still = await rescan(1)
        assert (still.released, still.quarantined) == (0, 0)
        assert still.still_held >= 2
        assert_problem(
            await client.get(path, headers=handler.headers), 409, "attachment-not-released"
        )

        await clamd.start()
        done = await rescan(2)
        assert done.released >= 1
        assert done.quarantined >= 1
        got = await client.get(path, headers=handler.headers)
        assert (got.status_code, got.content) == (200, CLEAN_PDF)
        statuses = {a["filename"]: a["status"] for a in await _files(client, case["case_id"], kari)}
        assert statuses == {"brev.pdf": "clean", "ikke-se.pdf": "quarantined"}


async def test_kind_and_size_are_checked_by_content_with_field_codes(
    scanning: CasesService, world: dict[str, Caller]
) -> None:
    kari, handler = world["kari"], world["handler"]
    scanning.settings.attachment_max_bytes = 4096
    async with asgi_client(create_app(scanning)) as client:
        case = await register(client, kari)
        note = await _note(client, case["case_id"], kari, "Flere vedlegg")
        cases_of_refusal = [
            (b"MZ\x90\x00" + b"\x00" * 100, "faktura.pdf", "file_type_not_allowed"),
            (b"<html><script>alert(1)</script>", "side.html", "file_type_not_allowed"),
            (b"PK\x03\x04 not really a zip", "ark.xlsx", "file_type_not_allowed"),
            (b"", "tom.pdf", "file_empty"),
            (b"%PDF-1.4\n" + b"0" * 5000, "stor.pdf", "file_too_large"),
        ]
        for data, name, code in cases_of_refusal:
            problem = assert_problem(
                await _attach(client, case["case_id"], note, kari, data, name),
                422,
                "attachment-refused",
            )
            assert [(e["field"], e["code"]) for e in problem["errors"]] == [("file", code)], name
        # far beyond the limit: the body limit answers before the file is read
        assert_problem(
            await _attach(client, case["case_id"], note, kari, b"%PDF-" * 300_000, "x.pdf"), 413
        )
        # an internal note's file is not the creditor's to see
        internal = await client.post(
            f"{P}/{case['case_id']}/notes",
            json={"body": "Intern", "visibility": "internal"},
            headers=handler.headers,
        )
        note_id = internal.json()["note_id"]
        secret = await _attach(client, case["case_id"], note_id, handler, CLEAN_PDF, "intern.pdf")
        assert secret.status_code == 201, secret.text
        path = f"{P}/{case['case_id']}/attachments/{secret.json()['attachment_id']}"
        assert_problem(await client.get(path, headers=kari.headers), 404, "not-found")
        assert (await client.get(path, headers=handler.headers)).status_code == 200
        assert await _files(client, case["case_id"], kari) == []


async def test_the_scheduler_process_releases_held_files_by_itself(
    scanning: CasesService, clamd: LocalClamd, world: dict[str, Caller]
) -> None:
    kari, handler = world["kari"], world["handler"]
    async with asgi_client(create_app(scanning)) as client:
        case = await register(client, kari)
        note = await _note(client, case["case_id"], kari, "Vedlegg til skanning senere")
        clamd.stop()
        held = await _attach(client, case["case_id"], note, kari, CLEAN_PDF, "senere.pdf")
        assert held.status_code == 202, held.text
        await clamd.start()

        scanning.clock = LaterClock(timedelta(hours=1))  # the held file is due
        scanning.settings.rescan_period_seconds = 0.2
        stop = asyncio.Event()
        worker = asyncio.create_task(rescan_held_files(scanning, stop))
        path = f"{P}/{case['case_id']}/attachments/{held.json()['attachment_id']}"

        async def released() -> bool:
            return (await client.get(path, headers=handler.headers)).status_code == 200

        try:
            await wait_for(released, what="the rescan to release the held file")
        finally:
            stop.set()
            await worker


async def test_one_file_per_idempotency_key_even_when_sent_twice_at_once(
    scanning: CasesService, world: dict[str, Caller]
) -> None:
    kari = world["kari"]
    async with asgi_client(create_app(scanning)) as client:
        case = await register(client, kari)
        case_id = case["case_id"]
        note = await _note(client, case_id, kari, "Faktura vedlagt")
        path = f"{P}/{case_id}/notes/{note}/attachments"
        headers = {
            **kari.headers,
            "Content-Type": "application/octet-stream",
            "Idempotency-Key": str(uuid.uuid4()),
        }

        async def send(data: bytes = CLEAN_PDF, name: str = "faktura.pdf") -> httpx.Response:
            return await client.post(path, params={"filename": name}, content=data, headers=headers)

        together = await asyncio.gather(send(), send())  # both scanned, one kept
        later = await send()  # answered from the key, not scanned again

        assert [r.status_code for r in together] == [201, 201], together[0].text
        assert together[0].json() == together[1].json() == later.json()
        assert [a["attachment_id"] for a in await _files(client, case_id, kari)] == [
            later.json()["attachment_id"]
        ]
        assert_problem(await send(PNG, "faktura.pdf"), 422, "idempotency-key-reused")
        assert_problem(await send(CLEAN_PDF, "annen.pdf"), 422, "idempotency-key-reused")
