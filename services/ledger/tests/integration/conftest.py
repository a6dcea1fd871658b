from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from ledger.bootstrap import LedgerService, bootstrap
from ledger.entrypoints.api import create_app
from ledger.settings import LedgerSettings
from servicekit.testing.http import asgi_client
from servicekit.testing.tokens import TestSigner

from .books import Ledger

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
) -> AsyncIterator[LedgerService]:
    """The ledger service on this run's migrated database and a bus namespace of its own."""
    url = await service_database("ledger", ALEMBIC_INI)
    service = bootstrap(
        LedgerSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}ledger{uuid.uuid4().hex[:6]}.",
            retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),  # back-off in test time
            db_pool_size=20,
        )
    )
    service.token_verifier = signer.verifier()
    yield service
    await service.close()


@pytest.fixture
async def client(service: LedgerService) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(service)) as http:
        yield http


@pytest.fixture
def ledger(service: LedgerService, signer: TestSigner) -> Ledger:
    return Ledger(service, signer)
