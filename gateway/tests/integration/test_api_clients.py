"""API clients at the gateway: the «API-klienter» page (secret shown once), a client's
token never on a portal page nor in the cookie, and the per-client rate limit."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, RunningServer, identity_app
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration

SECRET = "ics_" + "s" * 43


def _identity(signer: TestSigner, clients: list[dict[str, Any]]) -> FastAPI:
    app = identity_app(signer)

    def out(c: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in c.items() if k != "client_secret"}

    @app.get("/api/v1/auth/me")
    async def me() -> Any:
        return {
            "full_name": "Nora Nordlys",
            "email": "admin@nordlys.example",
            "roles": ["creditor", "creditor_admin"],
            "recovery_codes_left": 10,
        }

    @app.get("/api/v1/auth/sessions")
    async def sessions() -> Any:
        return []

    @app.get("/api/v1/auth/me/notifications")
    async def notifications() -> Any:
        return {"documents": True}

    @app.get("/api/v1/auth/clients")
    async def listed() -> Any:
        return [out(c) for c in clients]

    @app.post("/api/v1/auth/clients", status_code=201)
    async def create(request: Request) -> Any:
        body = await request.json()
        made = {
            "id": str(uuid.uuid4()),
            "organisation_id": str(uuid.uuid4()),
            "name": body["name"],
            "scopes": sorted(body["scopes"]),
            "allowed_networks": body["allowed_networks"],
            "created_at": datetime.now(UTC).isoformat(),
            "rotated_at": None,
            "previous_secret_valid_until": None,
            "revoked_at": None,
            "last_used_at": None,
            "last_used_ip": None,
            "status": "active",
            "client_secret": SECRET,
        }
        clients.append(made)
        return made

    @app.post("/api/v1/auth/clients/{client_id}/revoke")
    async def revoke(client_id: str) -> Any:
        (found,) = [c for c in clients if c["id"] == client_id]
        found["status"] = "revoked"
        return out(found)

    return app


@pytest.fixture(scope="module")
def clients() -> list[dict[str, Any]]:
    return []


@pytest.fixture(scope="module")
async def portal(
    start_gateway: GatewayFactory, signer: TestSigner, clients: list[dict[str, Any]]
) -> AsyncIterator[httpx.AsyncClient]:
    identity = await RunningServer(_identity(signer, clients)).start()
    yield await start_gateway(
        signed_in=False,
        auth_url=identity.url,
        jwks_url=identity.url + "/api/v1/auth/.well-known/jwks.json",
        client_rate_limit_per_minute=60.0,
        client_rate_limit_burst=3,
    )
    await identity.stop()


def _client_token(signer: TestSigner, *scopes: str) -> str:
    client_id = uuid.uuid4()
    return signer.mint(
        organisation_id=uuid.uuid4(),
        roles=[Roles.CREDITOR],
        user_id=client_id,
        session_id=client_id,
        client_id=str(client_id),
        scope=" ".join(scopes),
        ttl=3600,
    )


async def test_a_creditor_admin_creates_a_client_sees_its_secret_once_and_revokes_it(
    portal: httpx.AsyncClient, signer: TestSigner, clients: list[dict[str, Any]]
) -> None:
    csrf = set_cookies(await portal.get("/logg-inn"))[CSRF].value
    token = signer.mint(
        organisation_id=uuid.uuid4(),
        roles=[Roles.CREDITOR_ADMIN, Roles.CREDITOR],
        session_id=uuid.uuid4(),
        ttl=3600,
    )
    headers = {**cookie_header({CSRF: csrf, AT: token}), "accept": "text/html"}

    empty = await portal.get("/api-klienter", headers=headers)
    assert empty.status_code == 200, empty.text
    assert "Dere har ingen API-klienter ennå." in empty.text
    settings_link = 'href="/api-klienter"'
    assert settings_link not in empty.text.split("<main", 1)[0]  # not in the one-line menu

    missing = await portal.post(
        "/api-klienter/ny", data={"csrf_token": csrf, "name": "Synk"}, headers=headers
    )
    assert missing.status_code == 400
    assert "Velg minst én tilgang" in missing.text
    assert clients == []

    made = await portal.post(
        "/api-klienter/ny",
        data={
            "csrf_token": csrf,
            "name": "Tripletex-synk",
            "scopes": ["cases:read", "cases:write"],
            "allowed_networks": "192.0.2.0/24\n",
        },
        headers=headers,
    )
    assert made.status_code == 200, made.text
    assert "Hemmeligheten vises bare nå" in made.text
    assert SECRET in made.text
    assert made.headers["cache-control"] == "no-store"
    assert clients[0]["allowed_networks"] == ["192.0.2.0/24"]

    again = await portal.get("/api-klienter", headers=headers)
    assert SECRET not in again.text
    assert "Tripletex-synk" in again.text
    assert "Lese saker" in again.text
    assert "Aldri" in again.text

    revoked = await portal.post(
        f"/api-klienter/{clients[0]['id']}/trekk-tilbake",
        data={"csrf_token": csrf},
        headers=headers,
    )
    assert (revoked.status_code, revoked.headers["location"]) == (
        303,
        "/api-klienter?melding=trukket",
    )
    after = await portal.get("/api-klienter?melding=trukket", headers=headers)
    assert "API-klienten er trukket tilbake." in after.text
    assert "Trukket tilbake" in after.text


async def test_the_settings_page_leads_a_creditor_admin_there_and_no_one_else(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    def headers(*roles: str) -> dict[str, str]:
        token = signer.mint(
            organisation_id=uuid.uuid4(), roles=roles, session_id=uuid.uuid4(), ttl=3600
        )
        return {**cookie_header({AT: token}), "accept": "text/html"}

    admin = await portal.get("/innstillinger", headers=headers(Roles.CREDITOR_ADMIN))
    assert admin.status_code == 200, admin.text
    assert 'href="/api-klienter"' in admin.text
    user = await portal.get("/innstillinger", headers=headers(Roles.CREDITOR))
    assert 'href="/api-klienter"' not in user.text
    assert (await portal.get("/api-klienter", headers=headers(Roles.CREDITOR))).status_code == 403
    agency = headers(Roles.AGENCY_ADMIN)
    assert (await portal.get("/api-klienter", headers=agency)).status_code == 403


async def test_a_client_token_opens_no_portal_page(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    token = _client_token(signer, "cases:read")
    bearer = await portal.get(
        "/saker", headers={"Authorization": f"Bearer {token}", "accept": "text/html"}
    )
    assert bearer.status_code == 403
    in_cookie = await portal.get(
        "/saker",
        headers={**cookie_header({AT: token}), "accept": "text/html"},
        follow_redirects=False,
    )
    assert in_cookie.status_code == 303
    assert in_cookie.headers["location"].startswith("/logg-inn")
    api = await portal.get("/api/v1/cases/items/1", headers=cookie_header({AT: token}))
    assert api.status_code == 401


async def test_each_client_has_its_own_rate_limit_with_headers(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    token = _client_token(signer, "cases:read")
    headers = {"Authorization": f"Bearer {token}"}
    answers = [await portal.get("/api/v1/cases/items/1", headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[0].headers["x-ratelimit-limit"] == "3"
    assert [a.headers["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert int(answers[2].headers["x-ratelimit-reset"]) >= 1
    limited = answers[3]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["type"].endswith("/rate-limited")
    assert limited.json()["request_id"] == limited.headers["x-request-id"]
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["x-ratelimit-remaining"] == "0"

    # another client, and a person, are not held back by it
    other = {"Authorization": f"Bearer {_client_token(signer, 'cases:read')}"}
    assert (await portal.get("/api/v1/cases/items/1", headers=other)).status_code == 200
    person = signer.mint(
        organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR], session_id=uuid.uuid4(), ttl=3600
    )
    answer = await portal.get(
        "/api/v1/cases/items/1", headers={"Authorization": f"Bearer {person}"}
    )
    assert answer.status_code == 200
    assert "x-ratelimit-limit" not in answer.headers
