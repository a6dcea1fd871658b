from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cases.adapters.orm import creditors
from cases.bootstrap import CasesService, bootstrap
from cases.settings import CasesSettings
from servicekit.crypto import Keyring
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.tokens import TestSigner
from sqlalchemy import insert

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
DATA_KEYS = Keyring.generate_spec()
LOOKUP_KEY = uuid.uuid4().hex


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
) -> AsyncIterator[CasesService]:
    """The cases service on this run's migrated database and a bus namespace of its own."""
    url = await service_database("cases", ALEMBIC_INI)
    service = bootstrap(
        CasesSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}cases{uuid.uuid4().hex[:6]}.",
            retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),  # back-off in test time
            data_keys=DATA_KEYS,
            lookup_key=LOOKUP_KEY,
        )
    )
    service.token_verifier = signer.verifier()
    yield service
    await service.close()


async def add_creditor(service: CasesService, *, active: bool = True) -> uuid.UUID:
    """A creditor the cases service knows (as if its registration event had arrived)."""
    organisation_id = uuid.uuid4()
    async with service.session_factory() as session:
        await session.execute(
            insert(creditors).values(
                organisation_id=organisation_id,
                name=unique_name(),
                organisation_number=organisation_number(),
                active=active,
                registered_at=datetime.now(UTC),
            )
        )
        await session.commit()
    return organisation_id
