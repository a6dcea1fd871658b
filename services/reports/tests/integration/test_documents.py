"""Events in, documents out: the order confirmation of a batch once all its cases are in,
the statement of a settlement (and its posting proposal); every event delivered twice
gives the same documents, and statement numbers have no gap and no duplicate."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import uuid
from typing import Any

import pytest
from contracts import Envelope
from contracts.cases import RejectedRow
from contracts.reports import DocumentIssued, PostingProposalIssued
from reports.adapters.orm import document_counters, documents, outbox
from reports.bootstrap import ReportsService
from reports.entrypoints.api import create_app
from servicekit.testing.http import asgi_client
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from .conftest import METRICS_TOKEN
from .events import Batch, line, organisation, settlement, wrap
from .rendering import rendered, running_reports

pytestmark = pytest.mark.integration


async def documents_of(service: ReportsService, source_id: uuid.UUID) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        result = await session.execute(
            select(documents).where(documents.c.source_id == source_id).order_by(documents.c.kind)
        )
        return [dict(row) for row in result.mappings()]


async def issued_events(
    service: ReportsService, organisation_id: uuid.UUID
) -> list[DocumentIssued]:
    """The organisation's ``reports.document.issued.v1`` events in the outbox, oldest first."""
    async with service.session_factory() as session:
        bodies = (
            await session.execute(
                select(outbox.c.body)
                .where(outbox.c.routing_key == DocumentIssued.routing_key())
                .order_by(outbox.c.id)
            )
        ).scalars()
        events = [Envelope.model_validate(json.loads(b)).payload(DocumentIssued) for b in bodies]
    return [e for e in events if e.organisation_id == organisation_id]


async def proposal_events(
    service: ReportsService, organisation_id: uuid.UUID
) -> list[PostingProposalIssued]:
    """The organisation's ``reports.posting_proposal.issued.v1`` events in the outbox."""
    async with service.session_factory() as session:
        bodies = (
            await session.execute(
                select(outbox.c.body).where(
                    outbox.c.routing_key == PostingProposalIssued.routing_key()
                )
            )
        ).scalars()
        events = [
            Envelope.model_validate(json.loads(b)).payload(PostingProposalIssued) for b in bodies
        ]
    return [e for e in events if e.organisation_id == organisation_id]


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


async def test_every_event_twice_gives_each_document_once_and_numbers_without_gaps(
    service: ReportsService,
) -> None:
    agency = organisation("agency", "InfoCenter Inkasso AS")
    creditor = organisation("creditor")
    batch = Batch(creditor.organisation_id)
    first = batch.case(1_000_000, "Kari Nordmann")
    second = batch.case(250_000, "Ola Nordmann")
    refused = [RejectedRow(row=3, creditor_reference="F-refused", fields=["debtor.national_id"])]
    settlements = [
        settlement(
            creditor.organisation_id,
            [line(first, principal=1_000_000, interest=10_000, salaer=130_000, commission=8_000)],
        ),
        settlement(
            creditor.organisation_id,
            [line(second, principal=100_000, court=50_000), line(first, principal=5_000)],
            charges=4_900,
        ),
    ]
    async with running_reports(service) as run:
        for event in (agency, creditor):
            await run.publish(wrap(event), times=2)
        await run.settled(handled=2, duplicate=2)
        # the batch before its cases: its confirmation waits for them
        await run.publish(wrap(batch.registered(refused)), times=2)
        for case in batch.cases:
            await run.publish(wrap(case), times=2)
        for s in settlements:
            await run.publish(wrap(s), times=2)
        await run.settled(handled=2 + 1 + 2 + 2, duplicate=2 + 1 + 2 + 2, seconds=60)
        assert run.outcomes()["dead_lettered"] == 0
        await rendered(service)

    (confirmation,) = await documents_of(service, batch.batch_id)
    assert (confirmation["kind"], confirmation["number"]) == ("order_confirmation", batch.number)
    assert confirmation["organisation_id"] == creditor.organisation_id
    assert confirmation["sha256"] == hashlib.sha256(confirmation["content"]).hexdigest()
    confirmation_text = pdf_text(confirmation["content"])
    for expected in (first.case_number, "Kari Nordmann", "Ola Nordmann", "F-refused", first.kid):
        assert expected in confirmation_text
    assert "12 500,00" in confirmation_text  # the principal of both cases

    numbers, texts = [], []
    for s in settlements:
        posting, statement = await documents_of(service, s.settlement_id)
        assert (statement["kind"], posting["kind"]) == ("settlement_statement", "posting_proposal")
        assert statement["number"] == posting["number"]
        assert statement["media_type"] == "application/pdf"
        numbers.append(statement["number"])
        text_ = pdf_text(statement["content"])
        assert f"Avregning {statement['number']}" in text_
        assert re.search(r"Org\.nr\. \d{9} MVA", text_)  # the agency (the oldest one known)
        assert creditor.organisation_number in text_
        texts.append(text_)
    assert "10 020,00" in texts[0]  # 10 000 + 100 - 80 commission
    assert "1 001,00" in texts[1]  # 1 000 + 50 - 49 credit reports

    async with service.session_factory() as session:
        all_numbers = sorted(
            (
                await session.execute(  # credit notes share the statements' series
                    select(documents.c.number).where(
                        documents.c.kind.in_(("settlement_statement", "credit_note")),
                        documents.c.number.like("AVR-2026-%"),
                    )
                )
            ).scalars()
        )
        last = (
            await session.execute(
                select(document_counters.c.last_number).where(
                    document_counters.c.series == "settlement_statement:2026"
                )
            )
        ).scalar_one()
    assert all_numbers == [f"AVR-2026-{n:06d}" for n in range(1, last + 1)]
    assert set(numbers) <= set(all_numbers)

    # each document (not its posting proposal) announced once, though every event came twice
    announced = await issued_events(service, creditor.organisation_id)
    statements = [(await documents_of(service, s.settlement_id))[1] for s in settlements]
    assert sorted((e.document_id, e.kind, e.organisation_id, e.issued_at) for e in announced) == (
        sorted(
            (d["document_id"], d["kind"], creditor.organisation_id, d["issued_at"])
            for d in (confirmation, *statements)
        )
    )

    # each posting proposal announced once with its balanced rows, for the creditor's ERP
    proposals = await proposal_events(service, creditor.organisation_id)
    assert len(proposals) == len(settlements)
    # matched by settlement: the renderer numbers the statements in the order it issues
    # them, which need not be the order of the settlements' events
    by_settlement = {event.settlement_id: event for event in proposals}
    assert set(by_settlement) == {s.settlement_id for s in settlements}
    for s in settlements:
        event = by_settlement[s.settlement_id]
        posting, statement = await documents_of(service, s.settlement_id)
        assert (event.document_id, event.statement_document_id) == (
            posting["document_id"],
            statement["document_id"],
        )
        assert event.voucher_number == statement["number"]
        assert event.settlement_id == s.settlement_id
        assert sum(p.debit_ore for p in event.postings) == sum(p.credit_ore for p in event.postings)
        assert {"1920", "1500"} <= {p.account for p in event.postings}

    async with asgi_client(create_app(service)) as client:
        metrics = (
            await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        ).text
    for projection in ("cases", "batches", "settlements"):
        assert f'reports_projection_lag_seconds{{projection="{projection}"}}' in metrics


async def test_an_issued_document_cannot_be_changed(service: ReportsService) -> None:
    creditor = organisation("creditor")
    batch = Batch(creditor.organisation_id)
    batch.case(90_000, "Per Hansen")
    async with running_reports(service) as run:
        for event in (organisation("agency"), creditor, *batch.cases, batch.registered()):
            await run.publish(wrap(event))
        await run.wait_for(lambda: documents_of(service, batch.batch_id), what="a confirmation")
    (document,) = await documents_of(service, batch.batch_id)
    async with service.session_factory() as session:
        with pytest.raises(DBAPIError, match="immutable"):
            async with session.begin():
                await session.execute(
                    update(documents)
                    .where(documents.c.document_id == document["document_id"])
                    .values(content=b"forged", sha256="0" * 64)
                )
    async with service.session_factory() as session:
        with pytest.raises(DBAPIError, match="immutable"):
            async with session.begin():
                await session.execute(text("TRUNCATE document_downloads"))
    assert (await documents_of(service, batch.batch_id))[0]["content"] == document["content"]
