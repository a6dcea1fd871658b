from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from auth.adapters.credentials import Argon2PasswordHasher
from auth.bootstrap import AuthService, bootstrap
from auth.settings import AuthSettings
from servicekit.crypto import Keyring
from servicekit.testing.tokens import TestSigner

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
DATA_KEYS = Keyring.generate_spec()
"""One keyring for the whole run: the run's database keeps what it sealed."""
LOOKUP_KEY = uuid.uuid4().hex


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
) -> AsyncIterator[AuthService]:
    """The identity service on this run's migrated database and a bus namespace of its own."""
    url = await service_database("auth", ALEMBIC_INI)
    service = bootstrap(
        AuthSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}auth{uuid.uuid4().hex[:6]}.",
            data_keys=DATA_KEYS,
            lookup_key=LOOKUP_KEY,
        ),
        hasher=Argon2PasswordHasher(time_cost=1, memory_kib=8 * 1024),
    )
    # trust the test signer's tokens besides the service's own
    service.token_verifier = dataclasses.replace(service.token_verifier, static_jwks=signer.jwks)
    yield service
    await service.close()
