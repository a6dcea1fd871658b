"""pytest plugin (loaded with ``-p servicekit.testing.plugin``): infrastructure fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from servicekit.testing import infra
from servicekit.testing.tokens import TestSigner


@pytest.fixture(scope="session")
def infrastructure() -> None:
    """Fails the test, loudly and with the start commands, when PG or RabbitMQ are away."""
    try:
        infra.check_infrastructure()
    except infra.InfrastructureMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
async def service_database(
    infrastructure: None,
) -> AsyncIterator[Callable[[str, Path], Awaitable[str]]]:
    """Factory: a fresh, migrated database per service for this test run, dropped after."""
    created: dict[str, str] = {}

    async def make(service: str, alembic_ini: Path) -> str:
        if service not in created:
            created[service] = await infra.create_migrated_database(
                infra.run_database_name(service), alembic_ini
            )
        return created[service]

    yield make
    for service in created:
        await infra.drop_database(infra.run_database_name(service))


@pytest.fixture(scope="session")
def bus_namespace(infrastructure: None) -> str:
    """A namespace for exchange and queue names unique to this test run."""
    return infra.run_bus_namespace()


@pytest.fixture(scope="session")
def signer() -> TestSigner:
    """A throwaway token signing key; give a service ``signer.verifier()`` to trust it."""
    return TestSigner()
