from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from credit.bootstrap import CreditService, bootstrap
from credit.settings import CreditSettings
from servicekit.testing.tokens import TestSigner

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
) -> AsyncIterator[CreditService]:
    """The credit service on this run's migrated database and a bus namespace of its own."""
    url = await service_database("credit", ALEMBIC_INI)
    service = bootstrap(
        CreditSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}credit{uuid.uuid4().hex[:6]}.",
            retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),  # back-off in test time
        )
    )
    service.token_verifier = signer.verifier()
    yield service
    await service.close()
