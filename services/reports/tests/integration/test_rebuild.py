"""Rebuilding the read model from nothing: a producer (a service with the shared outbox,
relay and replay handler) publishes the events live; reports builds its read model and
issues its documents; ``cli rebuild`` empties the read model and asks for a replay; the
rebuilt read model equals the incrementally built one, and no document is issued again
nor renumbered. Real PostgreSQL and RabbitMQ, databases of their own (a rebuild empties
the read model of every test sharing it)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from contracts import EventData
from contracts.cases import CaseClosed
from contracts.ledger import PaymentReceived
from contracts.reports import ReplayRequested
from reports.adapters.orm import document_counters, documents, inbox
from reports.bootstrap import ReportsService, bootstrap
from reports.entrypoints import cli
from reports.service_layer.rebuild import READ_MODEL_TABLES
from reports.settings import ReportsSettings
from servicekit.bus.topology import QueueSpec
from servicekit.db import make_metadata
from servicekit.inbox import inbox_table
from servicekit.outbox import outbox_table
from servicekit.replay import replay_handler
from servicekit.service import Service
from servicekit.settings import ServiceSettings
from servicekit.testing import infra
from servicekit.testing.bus import running_consumers
from servicekit.uow import UnitOfWork
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from .conftest import ALEMBIC_INI
from .events import Batch, line, organisation, settlement
from .rendering import running_renderer
from .test_catalogue import balance, status

pytestmark = pytest.mark.integration

T0 = datetime(2026, 5, 4, 10, tzinfo=UTC)


@asynccontextmanager
async def _database(prefix: str) -> AsyncIterator[tuple[str, str]]:
    name = infra.run_database_name(f"{prefix}_{uuid.uuid4().hex[:6]}")
    try:
        yield name, infra.database_url(name)
    finally:
        await infra.drop_database(name)


@pytest.fixture
async def services(
    infrastructure: None, bus_namespace: str
) -> AsyncIterator[tuple[ReportsService, Service]]:
    namespace = f"{bus_namespace}rebuild{uuid.uuid4().hex[:6]}."
    async with (
        _database("reports_rebuild") as (reports_db, _),
        _database("producer") as (
            producer_db,
            producer_url,
        ),
    ):
        url = await infra.create_migrated_database(reports_db, ALEMBIC_INI)
        reports = bootstrap(
            ReportsSettings(
                environment="test",
                database_url=url,
                bus_namespace=namespace,
                retry_delays_seconds=(0.2, 0.5, 1.0, 2.0),
            )
        )
        await infra.create_database(producer_db)
        metadata = make_metadata()
        outbox, inbox = outbox_table(metadata), inbox_table(metadata)
        engine = create_async_engine(producer_url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await engine.dispose()
        producer = Service(
            ServiceSettings(
                environment="test",
                service_name="producer",
                database_url=producer_url,
                bus_namespace=namespace,
            ),
            outbox=outbox,
            inbox=inbox,
            consumers={
                QueueSpec("producer.events", (ReplayRequested.routing_key(),)): {
                    ReplayRequested.routing_key(): replay_handler(outbox)
                }
            },
        )
        try:
            yield reports, producer
        finally:
            await reports.close()
            await producer.close()


async def _snapshot(reports: ReportsService) -> dict[str, list[Any]]:
    """Every read-model row (but projection progress: when it applied), in a fixed order."""
    async with reports.session_factory() as session:
        return {
            table.name: sorted((await session.execute(select(table))).all(), key=repr)
            for table in READ_MODEL_TABLES
            if table.name != "projection_progress"
        }


async def _documents(reports: ReportsService) -> list[tuple[Any, ...]]:
    async with reports.session_factory() as session:
        rows = await session.execute(
            select(documents.c.document_id, documents.c.number, documents.c.sha256)
        )
        counters = await session.execute(select(document_counters))
        return sorted(map(tuple, rows.all()), key=repr) + sorted(
            map(tuple, counters.all()), key=repr
        )


def _events() -> list[EventData]:
    agency, creditor = organisation("agency"), organisation("creditor")
    a = creditor.organisation_id
    batch = Batch(a)
    first, second = batch.case(400_000, "Kari Nordmann"), batch.case(90_000, "Ola Nordmann")
    c = first.case_id
    paid = settlement(a, [line(first, principal=100_000, interest=500, commission=100)])
    payment = PaymentReceived(
        payment_id=uuid.uuid4(), case_id=c, creditor_id=a, amount_ore=100_500,
        value_date=date(2026, 5, 5), principal_ore=100_000, interest_ore=500, costs_ore=0,
        overpaid_ore=0, received_at=T0 + timedelta(1),
    )  # fmt: skip
    closed = CaseClosed(
        case_id=second.case_id, creditor_id=a, reason="withdrawn", closed_on=date(2026, 5, 6),
        actor="creditor", closed_at=T0 + timedelta(2),
    )  # fmt: skip
    return [
        agency,
        creditor,
        *batch.cases,
        batch.registered(),
        status(c, a, "notice_sent", T0),
        status(c, a, "demand_sent", T0 + timedelta(3)),
        balance(c, a, 400_000, T0),
        balance(c, a, 300_000, T0 + timedelta(1)),
        payment,
        closed,
        paid,
    ]


async def _until(check: Any, what: str, seconds: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def test_a_rebuilt_read_model_equals_the_incremental_one_and_documents_stay(
    services: tuple[ReportsService, Service],
) -> None:
    reports, producer = services
    stop = asyncio.Event()
    async with running_consumers(reports), running_consumers(producer), running_renderer(reports):
        relays = [
            asyncio.create_task(reports.run_relay(stop)),
            asyncio.create_task(producer.run_relay(stop)),
        ]
        try:
            async with UnitOfWork(producer.session_factory, producer.outbox) as uow:
                for event in _events():
                    uow.emit(event)
                await uow.commit()

            async def built() -> bool:
                snapshot = await _snapshot(reports)
                async with reports.session_factory() as session:
                    kinds = set((await session.execute(select(documents.c.kind))).scalars())
                return (
                    kinds == {"order_confirmation", "settlement_statement", "posting_proposal"}
                    and len(snapshot["payments"]) == 1
                    and len(snapshot["case_balances"]) == 2
                    and sum(1 for r in snapshot["cases"] if r.closed_on is not None) == 1
                    and {r.status for r in snapshot["cases"]} == {"demand_sent", "registered"}
                )

            await _until(built, "the incremental read model and its documents")
            await asyncio.sleep(1.0)  # let nothing else trickle in
            incremental, issued = await _snapshot(reports), await _documents(reports)
            assert len(issued) >= 4  # confirmation, statement, posting proposal, a counter

            assert await cli.run(reports, ["rebuild"]) == 0

            async def rebuilt() -> bool:
                return await _snapshot(reports) == incremental

            await _until(rebuilt, "the rebuilt read model to equal the incremental one")
            await asyncio.sleep(1.0)
            assert await _snapshot(reports) == incremental
            assert await _documents(reports) == issued  # none again, none renumbered
            async with reports.session_factory() as session:
                replayed = await session.scalar(
                    select(func.count())
                    .select_from(inbox)
                    .where(inbox.c.handler.startswith("reports.replay:"))
                )
            assert replayed == len(_events())  # every event came back through the replay
        finally:
            stop.set()
            await asyncio.gather(*relays)
