from __future__ import annotations

import ipaddress
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from servicekit.crypto import Keyring
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner
from simulators.webhook_receiver import WebhookReceiver
from webhooks.adapters.guarded_network import IPAddress, resolve
from webhooks.bootstrap import WebhooksService, bootstrap
from webhooks.entrypoints.api import create_app
from webhooks.settings import WebhooksSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


class FakeDns:
    """Names ending in ``.test`` resolve as the test says (rebinding included); the rest
    through the system resolver."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        if host in self.names:
            return [ipaddress.ip_address(a) for a in self.names[host]]
        return await resolve(host, port)


@pytest.fixture(scope="session")
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


@pytest.fixture(scope="session")
def data_keys() -> str:
    """One keyring for the run, as one deployment has (the database outlives each test)."""
    return Keyring.generate_spec()


@pytest.fixture
def dns() -> FakeDns:
    return FakeDns()


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
    dns: FakeDns,
    data_keys: str,
) -> AsyncIterator[WebhooksService]:
    url = await service_database("webhooks", ALEMBIC_INI)
    service = bootstrap(
        WebhooksSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}webhooks{uuid.uuid4().hex[:6]}.",
            retry_delays_seconds=(0.2, 1.0, 2.0, 5.0),
            data_keys=data_keys,
            allowed_networks=("127.0.0.1/32",),
            timeout_seconds=1.0,
            retry_steps_seconds=(0.05, 0.05, 0.05, 0.05, 0.05),
            sender_poll_seconds=0.05,
        )
    )
    service.token_verifier = signer.verifier()
    service.resolver = dns
    yield service
    await service.close()


@pytest.fixture
async def api(service: WebhooksService) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(service)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://webhooks.test") as client:
        yield client


@pytest.fixture
def admin_of(signer: TestSigner) -> Callable[[uuid.UUID], dict[str, str]]:
    def headers(organisation: uuid.UUID) -> dict[str, str]:
        return signer.headers(organisation_id=organisation, roles=[Roles.CREDITOR_ADMIN])

    return headers
