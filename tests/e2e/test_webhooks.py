"""Outbound webhooks through the gateway: a creditor admin adds endpoints, a case is
registered, and the stack's webhook receiver (``simulators.webhook_receiver``) gets the
event signed, verified with the Standard Webhooks library; 5xx, resets and timeouts are
retried until delivered; 410 disables the endpoint; forbidden addresses are refused."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from devstack.stack import Stack
from servicekit.testing.wait import wait_for

from .cases_support import a_case, register
from .identity import SignedIn, sign_in
from .test_identity import new_creditor

pytestmark = pytest.mark.e2e

P = "/api/v1/webhooks"


@pytest.fixture(scope="module")
async def receiver(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    url = f"http://{stack.config.host}:{stack.config.port('webhook-receiver')}"
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
async def creditor_admin(
    stack: Stack, gateway: httpx.AsyncClient, agency_admin: SignedIn
) -> SignedIn:
    creditor = await new_creditor(stack, gateway, await agency_admin.headers())
    return await sign_in(gateway, creditor.admin)


async def add_endpoint(
    gateway: httpx.AsyncClient,
    receiver: httpx.AsyncClient,
    admin: SignedIn,
    *script: dict[str, Any],
    default: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    path = f"/e2e/{uuid.uuid4().hex}"
    response = await gateway.post(
        f"{P}/endpoints",
        json={"url": f"{receiver.base_url}{path}".rstrip("/"), "event_types": ["case.registered"]},
        headers=await admin.headers(),
    )
    assert response.status_code == 201, response.text
    endpoint = response.json()
    configured = await receiver.put(
        f"/_sim/paths{path}",
        json={"secrets": [endpoint["secret"]], "script": list(script), "default": default or {}},
    )
    assert configured.status_code == 200
    return path, endpoint


async def received(receiver: httpx.AsyncClient, path: str, answered: str) -> Any:
    got = (await receiver.get("/_sim/received", params={"path": path})).json()
    return got if any(g["answered"] == answered for g in got) else None


async def test_a_registered_case_reaches_each_endpoint_signed_retried_or_disabled(
    gateway: httpx.AsyncClient, receiver: httpx.AsyncClient, creditor_admin: SignedIn
) -> None:
    plain, _ = await add_endpoint(gateway, receiver, creditor_admin)
    flaky, flaky_endpoint = await add_endpoint(
        gateway,
        receiver,
        creditor_admin,
        {"status": 503},
        {"reset": True},
        {"status": 200, "delay": 3},  # beyond the stack's 2 s timeout
        {"status": 500, "retry_after": "1"},
    )
    gone, gone_endpoint = await add_endpoint(
        gateway, receiver, creditor_admin, default={"status": 410}
    )
    case = await register(gateway, creditor_admin, a_case())

    [got] = await wait_for(
        lambda: received(receiver, plain, "200"), what="the signed event", seconds=60
    )
    assert got["verified"] is True
    body = json.loads(got["body"])
    assert body["type"] == "case.registered"
    assert body["data"]["case_id"] == case["case_id"]
    assert "Per Hansen" not in got["body"]  # no debtor personal data

    async def flaky_delivered() -> Any:
        got = (await receiver.get("/_sim/received", params={"path": flaky})).json()
        return got if [g["answered"] for g in got][-1:] == ["200"] and len(got) == 5 else None

    attempts = await wait_for(flaky_delivered, what="delivery after retries", seconds=90)
    assert [g["answered"] for g in attempts] == ["503", "reset", "200", "500", "200"]
    assert {g["webhook_id"] for g in attempts} == {got["webhook_id"]}
    assert all(g["verified"] for g in attempts)
    log = await gateway.get(
        f"{P}/endpoints/{flaky_endpoint['id']}/attempts", headers=await creditor_admin.headers()
    )
    outcomes = [a["outcome"] for a in reversed(log.json()["attempts"])]
    # the delayed answer times out; on a busy machine an attempt may also time out before
    # it reaches the receiver (then the receiver saw five, the log has one more timeout)
    assert [o for o in outcomes if o != "timeout"] == [
        "http-error",
        "connection-error",
        "http-error",
        "delivered",
    ]
    assert "timeout" in outcomes
    assert len(outcomes) - outcomes.count("timeout") + 1 == len(attempts)

    await wait_for(lambda: received(receiver, gone, "410"), what="the 410", seconds=60)

    async def disabled() -> Any:
        shown = await gateway.get(
            f"{P}/endpoints/{gone_endpoint['id']}", headers=await creditor_admin.headers()
        )
        return shown.json() if shown.json()["enabled"] is False else None

    assert (await wait_for(disabled, what="the endpoint disabled"))["disabled_reason"] == "gone"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://10.0.0.1/hook",
        "http://2130706434/hook",
        "https://[::1]/hook",
    ],
)
async def test_forbidden_addresses_are_refused(
    gateway: httpx.AsyncClient, creditor_admin: SignedIn, url: str
) -> None:
    response = await gateway.post(
        f"{P}/endpoints",
        json={"url": url, "event_types": ["case.registered"]},
        headers=await creditor_admin.headers(),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "address-forbidden"


async def test_another_creditor_cannot_see_the_endpoints(
    stack: Stack,
    gateway: httpx.AsyncClient,
    receiver: httpx.AsyncClient,
    creditor_admin: SignedIn,
    agency_admin: SignedIn,
) -> None:
    _, endpoint = await add_endpoint(gateway, receiver, creditor_admin)
    other = await sign_in(
        gateway, (await new_creditor(stack, gateway, await agency_admin.headers())).admin
    )
    response = await gateway.get(f"{P}/endpoints/{endpoint['id']}", headers=await other.headers())
    assert response.status_code == 404
