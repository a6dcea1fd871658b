"""The endpoints API: who may manage, secrets shown once, tenancy, the SSRF guard at creation."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner
from simulators.webhook_receiver import WebhookReceiver

from .conftest import FakeDns
from .helpers import new_endpoint

pytestmark = pytest.mark.integration

Admin = Callable[[uuid.UUID], dict[str, str]]


async def test_an_admin_adds_an_endpoint_and_sees_the_secret_once(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver
) -> None:
    org = uuid.uuid4()
    created = await new_endpoint(api, admin_of(org), f"{receiver.url}/a", ["case.registered"])
    assert created["secret"].startswith("whsec_")
    assert created["enabled"] is True
    listed = (await api.get("/api/v1/webhooks/endpoints", headers=admin_of(org))).json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    one = await api.get(f"/api/v1/webhooks/endpoints/{created['id']}", headers=admin_of(org))
    assert one.status_code == 200
    assert "secret" not in one.json()


async def test_another_organisation_sees_nothing_of_it(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver
) -> None:
    created = await new_endpoint(api, admin_of(uuid.uuid4()), f"{receiver.url}/b")
    other = admin_of(uuid.uuid4())
    path = f"/api/v1/webhooks/endpoints/{created['id']}"
    assert (await api.get(path, headers=other)).status_code == 404
    assert (await api.patch(path, headers=other, json={"enabled": False})).status_code == 404
    assert (await api.post(f"{path}/rotate-secret", headers=other)).status_code == 404
    assert (await api.get(f"{path}/attempts", headers=other)).status_code == 404
    assert (await api.get("/api/v1/webhooks/endpoints", headers=other)).json() == []


@pytest.mark.parametrize("role", [Roles.CREDITOR, Roles.CREDIT_ORDERER, Roles.CASE_HANDLER])
async def test_only_a_creditor_admin_manages_webhooks(
    api: httpx.AsyncClient, signer: TestSigner, role: str
) -> None:
    headers = signer.headers(organisation_id=uuid.uuid4(), roles=[role])
    response = await api.get("/api/v1/webhooks/endpoints", headers=headers)
    assert response.status_code == 403
    assert (await api.get("/api/v1/webhooks/endpoints")).status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2:9/h",  # loopback outside the test allow-list
        "http://2130706434:9/h",  # 127.0.0.2 as one decimal number
        "http://0177.0.0.2:9/h",  # octal
        "http://[::1]:9/h",
        "http://[::ffff:127.0.0.2]:9/h",  # IPv4-mapped IPv6
        "http://10.0.0.1/h",
        "http://100.64.1.1/h",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0:9/h",
        "http://internal.test/h",  # a name that resolves to a private address
    ],
)
async def test_forbidden_addresses_are_refused_at_creation(
    api: httpx.AsyncClient, admin_of: Admin, dns: FakeDns, url: str
) -> None:
    dns.names["internal.test"] = ["192.168.10.10"]
    response = await api.post(
        "/api/v1/webhooks/endpoints",
        headers=admin_of(uuid.uuid4()),
        json={"url": url, "event_types": ["case.registered"]},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "address-forbidden"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (
            {"url": "https://x.invalid/h", "event_types": ["case.registered"]},
            "url",
            "host-unresolvable",
        ),
        ({"url": "ftp://a.example/h", "event_types": ["case.registered"]}, "url", "url-invalid"),
        (
            {"url": "https://a.example/h", "event_types": ["case.gone"]},
            "event_types",
            "event-type-unknown",
        ),
    ],
)
async def test_bad_input_is_a_problem_with_its_field(
    api: httpx.AsyncClient, admin_of: Admin, body: dict[str, object], field: str, code: str
) -> None:
    response = await api.post(
        "/api/v1/webhooks/endpoints", headers=admin_of(uuid.uuid4()), json=body
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["errors"][0]["code"] == code


async def test_disable_and_enable_and_change_the_filter(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver
) -> None:
    org = uuid.uuid4()
    created = await new_endpoint(api, admin_of(org), f"{receiver.url}/c")
    path = f"/api/v1/webhooks/endpoints/{created['id']}"
    off = await api.patch(path, headers=admin_of(org), json={"enabled": False})
    assert off.json()["enabled"] is False
    assert off.json()["disabled_reason"] == "manual"
    on = await api.patch(
        path, headers=admin_of(org), json={"enabled": True, "event_types": ["payment.received"]}
    )
    assert on.json()["enabled"] is True
    assert on.json()["disabled_reason"] is None
    assert on.json()["event_types"] == ["payment.received"]
    types = (await api.get("/api/v1/webhooks/event-types", headers=admin_of(org))).json()
    assert {"case.registered", "payment.received", "objection.registered"} <= {
        t["type"] for t in types
    }
