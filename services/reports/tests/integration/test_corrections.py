"""Correcting an issued settlement statement (``POST /documents/{id}/corrections``): the
credit note and the replacement, the statement left byte for byte as issued, who may
correct, Idempotency-Key, and the statements' series staying gapless with corrections,
under concurrency and when the settlement's event is delivered again."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import threading
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from reports.adapters.document_store import DocumentStore
from reports.adapters.orm import document_counters, documents
from reports.adapters.projections import ProjectionStore
from reports.adapters.repository import OrganisationRepository
from reports.bootstrap import ReportsService
from reports.domain.errors import DocumentAlreadyCorrected
from reports.domain.model import Organisation
from reports.entrypoints.api import create_app
from reports.service_layer import handlers
from reports.service_layer.corrections import correct_statement
from reports.service_layer.issuing import Issuer, issue_settlement_statement
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for
from sqlalchemy import select, text

from .events import Batch, line, organisation, pdf_text, settlement
from .test_documents import issued_events

pytestmark = pytest.mark.integration

P = "/api/v1/reports"


class FixedClock:
    def __init__(self, year: int) -> None:
        self.year = year

    def now(self) -> datetime:
        return datetime(self.year, 6, 1, 12, tzinfo=UTC)


class GatedRenderer:
    """Renders text, not PDF; while its gate is shut, a render waits (holding its
    transaction's locks) so that concurrent corrections are seen to queue behind it."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()

    def _wait(self) -> None:
        assert self.gate.wait(timeout=30), "the test never opened the renderer's gate"

    def order_confirmation(self, confirmation: Any, *, issued_at: datetime) -> bytes:
        return b"%PDF-1.7 confirmation"

    def settlement_statement(self, header: Any, statement: Any, **_: Any) -> bytes:
        self._wait()
        return f"%PDF-1.7 {header.number}".encode()

    def credit_note(self, header: Any, credit: Any, **_: Any) -> bytes:
        self._wait()
        return f"%PDF-1.7 credit {header.number}".encode()


async def _lock_waiters(service: ReportsService) -> int:
    """Transactions of the reports database waiting on a lock now."""
    async with service.session_factory() as session:
        found = await session.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return int(found.scalar_one())


async def _open_when_queued(service: ReportsService, renderer: GatedRenderer, n: int) -> None:
    """Open the gate once ``n`` transactions wait on a lock (behind the render that holds
    the series' counter row)."""
    try:

        async def queued() -> bool:
            return await _lock_waiters(service) >= n

        await wait_for(queued, what=f"{n} corrections queued on locks", seconds=60, every=0.02)
    finally:
        renderer.gate.set()


async def _prepare(service: ReportsService, settlements: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A creditor with ``settlements`` settlements in the read model (no statement yet)."""
    creditor = organisation("creditor", "Nordlys Elektro AS")
    agency = organisation("agency", "InfoCenter Inkasso AS")
    batch = Batch(creditor.organisation_id)
    case = batch.case(1_000_000, "Kari Nordmann", reference="F-2026-0042")
    events = [
        settlement(
            creditor.organisation_id,
            [line(case, principal=1_000_000, interest=10_000, salaer=130_000, commission=8_000)],
        )
        for _ in range(settlements)
    ]
    async with service.session_factory() as session, session.begin():
        repo = OrganisationRepository(session)
        for o in (agency, creditor):
            await repo.upsert_registration(
                Organisation(
                    o.organisation_id, o.name, o.organisation_number, o.kind, datetime.now(UTC)
                )
            )
        projections = ProjectionStore(session)
        await projections.add_cases([handlers.case_row(case)])
        for event in events:
            await projections.add_settlement(*handlers.settlement_rows(event))
    return creditor.organisation_id, [e.settlement_id for e in events]


async def _issue(service: ReportsService, issuer: Issuer, settlement_id: uuid.UUID) -> uuid.UUID:
    async with service.session_factory() as session, session.begin():
        return await issue_settlement_statement(
            ProjectionStore(session), DocumentStore(session), issuer, settlement_id
        )


async def _correct(
    service: ReportsService, issuer: Issuer, document_id: uuid.UUID, reason: Any
) -> str:
    async with service.session_factory() as session, session.begin():
        await correct_statement(
            ProjectionStore(session),
            DocumentStore(session),
            issuer,
            document_id=document_id,
            reason=reason,
            requested_by=uuid.uuid4(),
        )
    return "corrected"


async def _series(service: ReportsService, year: int) -> tuple[list[tuple[str, str]], int]:
    """Every voucher of the year's statement series (kind, number), and its counter."""
    async with service.session_factory() as session:
        rows = (
            await session.execute(
                select(documents.c.kind, documents.c.number).where(
                    documents.c.kind.in_(("settlement_statement", "credit_note")),
                    documents.c.number.like(f"AVR-{year}-%"),
                )
            )
        ).all()
        last = await session.scalar(
            select(document_counters.c.last_number).where(
                document_counters.c.series == f"settlement_statement:{year}"
            )
        )
    return sorted(((k, n) for k, n in rows), key=lambda x: x[1]), int(last or 0)


async def _stored(service: ReportsService, document_id: uuid.UUID) -> tuple[str, bytes]:
    async with service.session_factory() as session:
        row = (
            await session.execute(
                select(documents.c.sha256, documents.c.content).where(
                    documents.c.document_id == document_id
                )
            )
        ).one()
    return row.sha256, bytes(row.content)


@pytest.fixture
async def client(service: ReportsService) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(service)) as client:
        yield client


async def test_an_agency_admin_credits_and_replaces_a_statement_that_stays_as_issued(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    year = 2034
    service.issuer = dataclasses.replace(service.issuer, clock=FixedClock(year))
    creditor, (settlement_id,) = await _prepare(service, 1)
    original = await _issue(service, service.issuer, settlement_id)
    sha_before, content_before = await _stored(service, original)
    admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])
    key = {"Idempotency-Key": str(uuid.uuid4())}
    path = f"{P}/documents/{original}/corrections"

    answer = await client.post(path, json={"reason": "creditor_name"}, headers={**admin, **key})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    credit, replacement = body["credit_note"], body["replacement"]
    assert (credit["kind"], credit["number"]) == ("credit_note", f"AVR-{year}-000002")
    assert (replacement["kind"], replacement["number"]) == (
        "settlement_statement",
        f"AVR-{year}-000003",
    )
    assert credit["replaces_document_id"] == replacement["replaces_document_id"] == str(original)
    assert credit["corrects"]["number"] == f"AVR-{year}-000001"
    # the statement is byte for byte what was issued, its SHA-256 still true
    sha_after, content_after = await _stored(service, original)
    assert (sha_after, content_after) == (sha_before, content_before)
    assert hashlib.sha256(content_after).hexdigest() == sha_before

    # the same key again: the first answer, nothing issued again
    again = await client.post(path, json={"reason": "creditor_name"}, headers={**admin, **key})
    assert (again.status_code, again.json()) == (201, body)
    # the statement, then its credit note and replacement announced, once each
    assert [
        (e.document_id, e.kind, e.organisation_id) for e in await issued_events(service, creditor)
    ] == [
        (original, "settlement_statement", creditor),
        (uuid.UUID(credit["document_id"]), "credit_note", creditor),
        (uuid.UUID(replacement["document_id"]), "settlement_statement", creditor),
    ]
    # another key: the statement is credited already
    assert_problem(
        await client.post(path, json={"reason": "issued_in_error"}, headers=admin),
        409,
        "document-already-corrected",
    )
    series, last = await _series(service, year)
    assert last == 3
    assert series == [
        ("settlement_statement", f"AVR-{year}-000001"),
        ("credit_note", f"AVR-{year}-000002"),
        ("settlement_statement", f"AVR-{year}-000003"),
    ]

    # the creditor sees all three, linked; the credit note's text names the statement
    own = signer.headers(organisation_id=creditor, roles=[Roles.CREDITOR])
    listed = (await client.get(f"{P}/documents", headers=own)).json()["items"]
    by_number = {(d["kind"], d["number"]): d for d in listed}
    stated = by_number[("settlement_statement", f"AVR-{year}-000001")]
    assert stated["corrected_by"]["credit_note_document_id"] == credit["document_id"]
    assert stated["corrected_by"]["replacement_document_id"] == replacement["document_id"]
    assert stated["corrected_by"]["reason"] == "creditor_name"
    assert by_number[("credit_note", f"AVR-{year}-000002")]["corrects"]["document_id"] == str(
        original
    )
    assert ("posting_proposal", f"AVR-{year}-000002") in by_number
    assert ("posting_proposal", f"AVR-{year}-000003") in by_number
    text = pdf_text((await client.get(credit["content_url"], headers=own)).content)
    assert f"AVR-{year}-000001 av 01.06.{year}" in text
    assert f"Erstattes av avregning      AVR-{year}-000003" in text
    replaced = pdf_text((await client.get(replacement["content_url"], headers=own)).content)
    assert f"Erstatter avregning AVR-{year}-000001" in replaced
    assert f"kreditnota AVR-{year}-000002" in replaced
    postings = await client.get(
        by_number[("posting_proposal", f"AVR-{year}-000002")]["content_url"], headers=own
    )
    assert f"AVR-{year}-000002;1920;0;;10020,00;" in postings.text


async def test_only_agency_admins_correct_and_only_statements(
    client: httpx.AsyncClient, service: ReportsService, signer: TestSigner
) -> None:
    service.issuer = dataclasses.replace(service.issuer, renderer=GatedRenderer())
    creditor, (settlement_id,) = await _prepare(service, 1)
    original = await _issue(service, service.issuer, settlement_id)
    path = f"{P}/documents/{original}/corrections"
    body = {"reason": "issued_in_error"}
    for roles in ([Roles.CREDITOR_ADMIN], [Roles.CASE_HANDLER]):
        headers = signer.headers(organisation_id=creditor, roles=roles)
        assert_problem(await client.post(path, json=body, headers=headers), 403)
    assert_problem(await client.post(path, json=body), 401)
    admin = signer.headers(organisation_id=uuid.uuid4(), roles=[Roles.AGENCY_ADMIN])
    assert_problem(
        await client.post(f"{P}/documents/{uuid.uuid4()}/corrections", json=body, headers=admin),
        404,
        "document-not-found",
    )
    # the ledger's reason is not a person's; an unknown one neither
    for reason in ("settlement_reversed", "typo"):
        assert_problem(await client.post(path, json={"reason": reason}, headers=admin), 422)
    credited = await client.post(path, json=body, headers=admin)
    assert credited.status_code == 201, credited.text
    assert credited.json()["replacement"] is None
    credit_note = credited.json()["credit_note"]["document_id"]
    assert_problem(
        await client.post(f"{P}/documents/{credit_note}/corrections", json=body, headers=admin),
        409,
        "document-not-correctable",
    )


async def test_the_series_stays_gapless_with_corrections_at_once_and_redelivery(
    service: ReportsService,
) -> None:
    year = 2035
    renderer = GatedRenderer()
    issuer = Issuer(renderer=renderer, clock=FixedClock(year))
    _, ids = await _prepare(service, 3)
    statements = [await _issue(service, issuer, i) for i in ids]
    # three corrections at once, one of them asked twice at once: the first to take a
    # number renders behind the shut gate until the others queue on the locks it holds
    renderer.gate.clear()
    outcomes, _ = await asyncio.gather(
        asyncio.gather(
            _correct(service, issuer, statements[0], "creditor_name"),
            _correct(service, issuer, statements[1], "issued_in_error"),
            _correct(service, issuer, statements[2], "account_mapping"),
            _correct(service, issuer, statements[2], "account_mapping"),
            return_exceptions=True,
        ),
        _open_when_queued(service, renderer, 3),
    )
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert [type(f) for f in failed] == [DocumentAlreadyCorrected], failed
    # the settlements' events delivered again: their statements are found, no number taken
    for settlement_id, statement in zip(ids, statements, strict=True):
        assert await _issue(service, issuer, settlement_id) == statement
    series, last = await _series(service, year)
    # 3 statements + 3 credit notes + 2 replacements (issued_in_error replaces nothing)
    assert last == 8
    assert [n for _, n in series] == [f"AVR-{year}-{n:06d}" for n in range(1, last + 1)]
    assert [k for k, _ in series].count("credit_note") == 3
