from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from auth.bootstrap import AuthService, bootstrap
from auth.settings import AuthSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
ADMIN_KEY = "auth-test-admin-key"


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]], bus_namespace: str
) -> AsyncIterator[AuthService]:
    """The identity service on this run's migrated database and a bus namespace of its own."""
    url = await service_database("auth", ALEMBIC_INI)
    service = bootstrap(
        AuthSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}auth{uuid.uuid4().hex[:6]}.",
            admin_api_key=ADMIN_KEY,
        )
    )
    yield service
    await service.close()
