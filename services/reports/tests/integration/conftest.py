from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from reports.bootstrap import ReportsService, bootstrap
from reports.settings import ReportsSettings
from servicekit.testing.tokens import TestSigner

METRICS_TOKEN = "reports-test-metrics"
"""What Prometheus would present at /metrics in these tests."""
ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
METRICS_TOKEN = "reports-test-metrics"
"""What the tests present at /metrics (the scraper's bearer token)."""


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
) -> AsyncIterator[ReportsService]:
    """The reports service on this run's migrated database and a bus namespace of its own."""
    url = await service_database("reports", ALEMBIC_INI)
    service = bootstrap(
        ReportsSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}reports{uuid.uuid4().hex[:6]}.",
            retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),  # back-off in test time
            metrics_token=METRICS_TOKEN,
            renderer_poll_seconds=0.1,
            renderer_retry_seconds=(0.2, 0.5, 1.0),
            renderer_lease_seconds=5.0,
        )
    )
    service.token_verifier = signer.verifier()
    yield service
    await service.close()
