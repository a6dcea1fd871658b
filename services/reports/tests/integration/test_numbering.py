"""Statement numbers under concurrency: transactions issuing at once take consecutive
numbers; two racing for the same settlement give one statement and no gap (the loser
rolls back with the number it took)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from reports.adapters.document_store import DocumentStore
from reports.adapters.orm import document_counters, documents
from reports.adapters.projections import ProjectionStore
from reports.adapters.repository import OrganisationRepository
from reports.bootstrap import ReportsService
from reports.domain.model import Organisation
from reports.service_layer import handlers
from reports.service_layer.issuing import Issuer, issue_settlement_statement
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .events import Batch, line, organisation, settlement

pytestmark = pytest.mark.integration

YEAR = 2031  # a series of its own: other tests issue in the current year


class SlowRenderer:
    """Renders slowly enough that concurrent transactions overlap."""

    def order_confirmation(self, confirmation: Any, *, issued_at: datetime) -> bytes:
        return b"%PDF-1.7 confirmation"

    def settlement_statement(self, header: Any, statement: Any, **_: Any) -> bytes:
        import time

        time.sleep(0.2)
        return f"%PDF-1.7 {header.number}".encode()


class FixedClock:
    def now(self) -> datetime:
        return datetime(YEAR, 6, 1, 12, tzinfo=UTC)


async def _prepare(service: ReportsService, settlements: int) -> list[uuid.UUID]:
    creditor = organisation("creditor")
    agency = organisation("agency")
    batch = Batch(creditor.organisation_id)
    case = batch.case(500_000, "Kari Nordmann")
    events = [
        settlement(creditor.organisation_id, [line(case, principal=1_000 + i)])
        for i in range(settlements)
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
    return [e.settlement_id for e in events]


async def _issue(service: ReportsService, settlement_id: uuid.UUID) -> str:
    issuer = Issuer(renderer=SlowRenderer(), clock=FixedClock())
    async with service.session_factory() as session, session.begin():
        await issue_settlement_statement(
            ProjectionStore(session), DocumentStore(session), issuer, settlement_id
        )
    return "issued"


async def _numbers(service: ReportsService) -> tuple[list[str], int]:
    async with service.session_factory() as session:
        numbers = sorted(
            (
                await session.execute(
                    select(documents.c.number).where(
                        documents.c.kind == "settlement_statement",
                        documents.c.number.like(f"AVR-{YEAR}-%"),
                    )
                )
            ).scalars()
        )
        last = await session.scalar(
            select(document_counters.c.last_number).where(
                document_counters.c.series == f"settlement_statement:{YEAR}"
            )
        )
    return numbers, int(last or 0)


async def test_concurrent_statements_take_consecutive_numbers_and_a_race_leaves_no_gap(
    service: ReportsService,
) -> None:
    ids = await _prepare(service, 4)
    before, last_before = await _numbers(service)
    # three different settlements at once, and the fourth twice at once
    outcomes = await asyncio.gather(
        *(_issue(service, i) for i in [*ids[:3], ids[3], ids[3]]), return_exceptions=True
    )
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, IntegrityError) for o in failed), failed
    assert len(failed) == 1  # the two for one settlement both found none issued yet
    # the loser's retry (as the consumer retries) finds the statement there
    assert await _issue(service, ids[3]) == "issued"
    numbers, last = await _numbers(service)
    assert last == last_before + 4
    assert numbers == [f"AVR-{YEAR}-{n:06d}" for n in range(1, last + 1)]
    assert len(numbers) == len(before) + 4
