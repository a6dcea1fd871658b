"""The integrations service against the Tripletex simulator, with the cases service's real
consumer as the other end of a handover (both in-process, real PostgreSQL and RabbitMQ)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cases.adapters.orm import creditors
from cases.bootstrap import CasesService
from cases.bootstrap import bootstrap as cases_bootstrap
from cases.settings import CasesSettings
from integrations.bootstrap import IntegrationsService, bootstrap
from integrations.settings import IntegrationsSettings
from servicekit.crypto import Keyring
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.tokens import TestSigner
from simulators.tripletex import TripletexConfig, TripletexSimulator
from sqlalchemy import insert, text

HERE = Path(__file__).resolve()
INTEGRATIONS_INI = HERE.parents[2] / "alembic.ini"
CASES_INI = HERE.parents[3] / "cases" / "alembic.ini"
DATA_KEYS = Keyring.generate_spec()


@pytest.fixture
def tripletex() -> Iterator[TripletexSimulator]:
    with TripletexSimulator(0, config=TripletexConfig()) as erp:
        yield erp


@dataclass
class Stack:
    integrations: IntegrationsService
    cases: CasesService
    creditor_id: uuid.UUID


@pytest.fixture
async def stack(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
) -> AsyncIterator[Stack]:
    """Both services on their migrated databases, one bus namespace of their own, relays
    and consumers running; a creditor the cases service knows."""
    namespace = f"{bus_namespace}erp{uuid.uuid4().hex[:6]}."
    integrations = bootstrap(
        IntegrationsSettings(
            environment="test",
            database_url=await service_database("integrations", INTEGRATIONS_INI),
            bus_namespace=namespace,
            retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),
            data_keys=DATA_KEYS,
            erp_page_size=40,
            erp_max_retry_wait_seconds=5.0,
            relay_poll_seconds=0.05,
        )
    )
    cases = cases_bootstrap(
        CasesSettings(
            environment="test",
            database_url=await service_database("cases", CASES_INI),
            bus_namespace=namespace,
            retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),
            data_keys=Keyring.generate_spec(),
            lookup_key=uuid.uuid4().hex,
            relay_poll_seconds=0.05,
        )
    )
    integrations.token_verifier = signer.verifier()
    async with integrations.session_factory() as session:
        # the connector takes any due connection: none of an earlier test's is left
        await session.execute(text("TRUNCATE connections, erp_invoices, sync_runs, erp_vouchers"))
        await session.commit()
    creditor_id = uuid.uuid4()
    async with cases.session_factory() as session:
        await session.execute(
            insert(creditors).values(
                organisation_id=creditor_id,
                name=unique_name(),
                organisation_number=organisation_number(),
                active=True,
                registered_at=datetime.now(UTC),
            )
        )
        await session.commit()
    stop = asyncio.Event()
    workers = [
        asyncio.create_task(work(stop))
        for work in (
            integrations.run_relay,
            integrations.run_consumers,
            cases.run_relay,
            cases.run_consumers,
        )
    ]
    try:
        yield Stack(integrations, cases, creditor_id)
    finally:
        stop.set()
        for task in workers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=10)
        await integrations.close()
        await cases.close()
