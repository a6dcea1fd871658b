"""Revocation and the ways in, every process real (issue 18, findings 2 and 8).

A signed-out access token is refused by every service's own API, not only by the gateway
(each asks the identity service, authenticated as itself); the internal endpoint answers
no one unauthenticated; /metrics wants the scraper's token, /ops signed-in agency staff;
no process names its server software.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

import httpx
import pytest
from devstack.stack import SERVICES, Stack
from servicekit.testing.wait import wait_for

from ..conftest import AGENCY_ADMIN_EMAIL
from .identity import Login, sign_in

pytestmark = pytest.mark.e2e

SESSION_CACHE_SECONDS = 5.0
"""How long a service reuses an active session's answer (servicekit's default)."""


async def _a_signed_in_read(client: httpx.AsyncClient, service: str) -> str:
    """A GET of the service's own API that needs a signed-in caller, taken from its
    OpenAPI (so a service rebuilt with other endpoints is covered too); path ids are
    random (an answer of 404 still says the caller got past the token check)."""
    document: dict[str, Any] = (await client.get("/openapi.json")).json()
    candidates = [
        path
        for path, operations in document["paths"].items()
        if path.startswith("/api/") and "401" in operations.get("get", {}).get("responses", {})
    ]
    assert candidates, f"{service} has no GET that needs a signed-in caller"
    path = min(candidates, key=lambda p: (p.count("{"), p))
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


async def test_a_token_revoked_by_sign_out_is_refused_by_every_service(
    stack: Stack, gateway: httpx.AsyncClient, demo: dict[str, Login]
) -> None:
    session = await sign_in(gateway, demo[AGENCY_ADMIN_EMAIL])
    bearer = await session.headers()
    services = {s: httpx.AsyncClient(base_url=stack.service_url(s), timeout=10) for s in SERVICES}
    try:
        reads = {s: await _a_signed_in_read(c, s) for s, c in services.items()}
        for service, client in services.items():
            before = await client.get(reads[service], headers=bearer)
            assert before.status_code not in (401, 503), (service, before.text)

        signed_out = await gateway.post("/api/v1/auth/sign-out", headers=bearer)
        assert signed_out.status_code == 204

        for service, client in services.items():

            async def refused(
                client: httpx.AsyncClient = client, path: str = reads[service]
            ) -> bool:
                return (await client.get(path, headers=bearer)).status_code == 401

            # at once at the identity service; elsewhere within the session cache's time
            await wait_for(
                refused, what=f"{service} refusing the token", seconds=SESSION_CACHE_SECONDS + 3
            )
        assert (await gateway.get("/api/v1/auth/me", headers=bearer)).status_code == 401
    finally:
        for client in services.values():
            await client.aclose()


async def test_the_internal_session_endpoint_answers_no_one_unauthenticated(
    stack: Stack, gateway: httpx.AsyncClient, demo: dict[str, Login]
) -> None:
    session = await sign_in(gateway, demo[AGENCY_ADMIN_EMAIL])
    path = f"/internal/v1/sessions/{session.session_id}"
    gateway_secret = stack.secrets.extra["GATEWAY_INTERNAL_SECRET"]
    async with httpx.AsyncClient(base_url=stack.service_url("auth"), timeout=10) as auth:
        for headers in (
            {},
            await session.headers(),  # a user's token is not a service's credential
            {"authorization": f"InfoCenter-Service gateway:{secrets.token_urlsafe(32)}"},
            {"authorization": f"InfoCenter-Service cases:{gateway_secret}"},
        ):
            answer = await auth.get(path, headers=headers)
            assert answer.status_code == 401, headers
            assert "active" not in answer.text
        known = await auth.get(
            path, headers={"authorization": f"InfoCenter-Service gateway:{gateway_secret}"}
        )
        assert known.json() == {"active": True}
    assert (await gateway.get(path)).status_code == 404  # never routed to the public


async def test_metrics_want_the_scrapers_token_and_ops_wants_agency_staff(
    stack: Stack, gateway: httpx.AsyncClient
) -> None:
    for process in (*SERVICES, "gateway"):
        url = stack.url if process == "gateway" else stack.service_url(process)
        token = stack.secrets.extra[f"{process.upper()}_METRICS_TOKEN"]
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            assert (await client.get("/metrics")).status_code == 401, process
            scraped = await client.get("/metrics", headers={"authorization": f"Bearer {token}"})
            assert scraped.status_code == 200, process
            assert "http_requests_total" in scraped.text
            ready = await client.get("/health/ready")
            assert ready.status_code == 200, process  # stays public
            assert "server" not in ready.headers, process  # no `Server: uvicorn`
    ops = await gateway.get("/ops")
    assert ops.status_code == 303
    assert ops.headers["location"].startswith("/logg-inn")
