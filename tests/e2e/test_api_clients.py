"""An organisation's API client through the gateway, every process real (issue 14 §1).

A creditor admin creates a client by the API; the client gets a token by the OAuth 2.0
client-credentials grant, registers a case twice with one Idempotency-Key (one case),
syncs with ``updated_since``; a ``cases:read`` client cannot register; another
creditor's case is not found; a wrong secret is ``invalid_client``; a revoked client's
token is refused within the gateway's session-cache time; its token opens no portal page.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from devstack.stack import Stack
from servicekit.testing.wait import wait_for

from .cases_support import a_case, register
from .identity import Login, sign_in
from .test_identity import new_creditor

pytestmark = pytest.mark.e2e

NORDLYS_ADMIN = "admin@nordlys.example"
TOKEN = "/api/v1/auth/oauth/token"
GATEWAY_SESSION_CACHE_SECONDS = 10.0
"""The gateway's ``session_cache_seconds`` (its default, which the test stack keeps)."""


async def create_client(
    gateway: httpx.AsyncClient, admin: dict[str, str], scopes: list[str]
) -> dict[str, Any]:
    created = await gateway.post(
        "/api/v1/auth/clients",
        json={"name": f"E2E {uuid.uuid4().hex[:6]}", "scopes": scopes},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def token_response(gateway: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    return await gateway.post(
        TOKEN, data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )


async def bearer(gateway: httpx.AsyncClient, client: dict[str, Any]) -> dict[str, str]:
    answer = await token_response(gateway, client["id"], client["client_secret"])
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def register_once_known(
    gateway: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    """POST the case, waiting while the cases service does not know the creditor yet."""

    async def attempt() -> httpx.Response | None:
        response = await gateway.post("/api/v1/cases", json=body, headers=headers)
        return None if "creditor-unknown" in response.text else response

    return await wait_for(attempt, what="the cases service to know the creditor")


async def test_a_client_registers_once_syncs_and_stays_in_its_lane(
    stack: Stack,
    gateway: httpx.AsyncClient,
    demo: dict[str, Login],
    admin: dict[str, str],
) -> None:
    nordlys = await sign_in(gateway, demo[NORDLYS_ADMIN])
    started = datetime.now(UTC) - timedelta(minutes=1)
    writer = await create_client(gateway, await nordlys.headers(), ["cases:read", "cases:write"])
    headers = await bearer(gateway, writer)

    # registered twice with one Idempotency-Key: one case, the same answer
    body = a_case()
    key = {"Idempotency-Key": f"e2e-{uuid.uuid4()}"}
    first = await register_once_known(gateway, {**headers, **key}, body)
    assert first.status_code == 201, first.text
    again = await gateway.post("/api/v1/cases", json=body, headers={**headers, **key})
    assert again.status_code == 201
    assert again.json() == first.json()
    case_id = first.json()["case_id"]
    same_reference = await gateway.get(
        "/api/v1/cases",
        params={"creditor_reference": body["creditor_reference"]},
        headers=headers,
    )
    assert [c["case_id"] for c in same_reference.json()["items"]] == [case_id]
    for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert same_reference.headers[name].isdigit(), name

    # synced by updated_since, page by page
    seen: list[str] = []
    params: dict[str, Any] = {
        "updated_since": started.isoformat(),
        "sort": "updated",
        "order": "asc",
        "limit": 50,
    }
    while True:
        page = await gateway.get("/api/v1/cases", params=params, headers=headers)
        assert page.status_code == 200, page.text
        seen += [c["case_id"] for c in page.json()["items"]]
        if page.json()["next_cursor"] is None:
            break
        params["cursor"] = page.json()["next_cursor"]
    assert case_id in seen

    # cases:read cannot register
    reader = await create_client(gateway, await nordlys.headers(), ["cases:read"])
    refused = await gateway.post(
        "/api/v1/cases", json=a_case(), headers=await bearer(gateway, reader)
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/insufficient-scope")
    assert refused.json()["request_id"] == refused.headers["x-request-id"]

    # another creditor's case: not found
    other = await new_creditor(stack, gateway, admin)
    other_session = await sign_in(gateway, other.admin)
    theirs = await register(gateway, other_session, a_case())
    hidden = await gateway.get(f"/api/v1/cases/{theirs['case_id']}", headers=headers)
    assert hidden.status_code == 404

    # never the identity service's own operations, nor a portal page
    assert (await gateway.get("/api/v1/auth/clients", headers=headers)).status_code == 403
    page = await gateway.get("/saker", headers=headers, follow_redirects=False)
    assert page.status_code == 403
    token = headers["Authorization"].split()[1]
    in_cookie = await gateway.get("/api/v1/cases", headers={"Cookie": f"__Host-ic_at={token}"})
    assert in_cookie.status_code == 401


async def test_a_wrong_secret_and_a_revoked_client_are_refused(
    gateway: httpx.AsyncClient, demo: dict[str, Login]
) -> None:
    nordlys = await sign_in(gateway, demo[NORDLYS_ADMIN])
    client = await create_client(gateway, await nordlys.headers(), ["cases:read"])

    wrong = await token_response(gateway, client["id"], "ics_" + "x" * 43)
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"

    headers = await bearer(gateway, client)
    assert (await gateway.get("/api/v1/cases", headers=headers)).status_code == 200
    revoked = await gateway.post(
        f"/api/v1/auth/clients/{client['id']}/revoke", headers=await nordlys.headers()
    )
    assert revoked.status_code == 200, revoked.text

    async def refused() -> bool:
        return (await gateway.get("/api/v1/cases", headers=headers)).status_code == 401

    await wait_for(
        refused,
        what="the revoked client's token refused",
        seconds=GATEWAY_SESSION_CACHE_SECONDS + 3,
    )
    again = await token_response(gateway, client["id"], client["client_secret"])
    assert (again.status_code, again.json()["error"]) == (401, "invalid_client")

    listed = await gateway.get("/api/v1/auth/clients", headers=await nordlys.headers())
    mine = next(c for c in listed.json() if c["id"] == client["id"])
    assert mine["status"] == "revoked"
    assert mine["last_used_at"] is not None
