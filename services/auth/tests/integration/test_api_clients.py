"""API clients: managed by creditor admins; the client-credentials grant at /oauth/token."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest
from auth.adapters.orm import audit_log
from servicekit.roles import Roles
from servicekit.testing.http import assert_problem
from sqlalchemy import select

from .conftest import Account, Identity

pytestmark = pytest.mark.integration

CLIENTS = "/api/v1/auth/clients"
TOKEN = "/api/v1/auth/oauth/token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {**FORM, "Authorization": f"Basic {encoded}"}


async def creditor_admin(identity: Identity) -> Account:
    organisation = await identity.organisation()
    return await identity.provision(organisation, [Roles.CREDITOR_ADMIN])


async def create(identity: Identity, admin: Account, **body: Any) -> dict[str, Any]:
    payload = {"name": "Regnskap-synk", "scopes": ["cases:read", "cases:write"], **body}
    response = await identity.client.post(CLIENTS, json=payload, headers=admin.headers)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    created: dict[str, Any] = response.json()
    return created


async def token(identity: Identity, client_id: str, secret: str, **form: str) -> Any:
    return await identity.client.post(
        TOKEN,
        content=_form({"grant_type": "client_credentials", **form}),
        headers=basic(client_id, secret),
    )


def _form(fields: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(fields)


async def audit_events(identity: Identity, client_id: str) -> list[tuple[str, str]]:
    async with identity.service.session_factory() as session:
        rows = await session.execute(
            select(audit_log.c.event, audit_log.c.outcome)
            .where(audit_log.c.detail["client_id"].astext == client_id)
            .order_by(audit_log.c.id)
        )
        return [(r.event, r.outcome) for r in rows]


async def test_a_created_client_gets_a_token_bound_to_its_organisation_and_scopes(
    identity: Identity,
) -> None:
    admin = await creditor_admin(identity)
    created = await create(identity, admin)
    assert created["client_secret"].startswith("ics_")
    assert created["scopes"] == ["cases:read", "cases:write"]

    listed = await identity.client.get(CLIENTS, headers=admin.headers)
    assert [c["id"] for c in listed.json()] == [created["id"]]
    assert "client_secret" not in listed.json()[0]
    assert listed.json()[0]["last_used_at"] is None

    answer = await token(identity, created["id"], created["client_secret"], scope="cases:read")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "cases:read"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["client_id"] == claims["sub"] == claims["sid"] == created["id"]
    assert claims["org"] == str(admin.organisation_id)
    assert claims["scope"] == "cases:read"
    assert claims["roles"] == [Roles.CREDITOR]

    used = await identity.client.get(f"{CLIENTS}/{created['id']}", headers=admin.headers)
    assert used.json()["last_used_at"] is not None
    assert await audit_events(identity, created["id"]) == [
        ("api_client.created", "success"),
        ("api_client.token", "success"),
    ]


async def test_a_client_token_reaches_no_operation_that_names_no_scope(
    identity: Identity,
) -> None:
    admin = await creditor_admin(identity)
    created = await create(identity, admin)
    body = (await token(identity, created["id"], created["client_secret"])).json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    for method, path in (
        ("GET", "/api/v1/auth/me"),
        ("GET", CLIENTS),
        ("GET", "/api/v1/auth/sessions"),
    ):
        response = await identity.client.request(method, path, headers=headers)
        assert_problem(response, 403, "client-not-allowed")


async def test_last_use_follows_the_calls_not_only_the_token_requests(
    identity: Identity,
) -> None:
    admin = await creditor_admin(identity)
    created = await create(identity, admin)
    body = (await token(identity, created["id"], created["client_secret"])).json()
    issued_at = identity.clock.now
    identity.clock.advance(timedelta(minutes=2))
    await identity.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    found = await identity.client.get(f"{CLIENTS}/{created['id']}", headers=admin.headers)
    last = datetime.fromisoformat(found.json()["last_used_at"])
    assert last == issued_at + timedelta(minutes=2)


async def test_token_endpoint_errors_have_the_rfc_6749_shape(identity: Identity) -> None:
    admin = await creditor_admin(identity)
    created = await create(identity, admin, scopes=["cases:read"])

    wrong = await token(identity, created["id"], "ics_not-the-secret")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.headers["www-authenticate"].startswith("Basic")

    unknown = await token(identity, str(uuid.uuid4()), created["client_secret"])
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")

    scope = await token(identity, created["id"], created["client_secret"], scope="cases:write")
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")

    grant = await identity.client.post(
        TOKEN,
        content="grant_type=password&username=a&password=b",
        headers=basic(created["id"], created["client_secret"]),
    )
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")

    missing = await identity.client.post(
        TOKEN, content="", headers=basic(created["id"], created["client_secret"])
    )
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")

    twice = await identity.client.post(
        TOKEN,
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers=basic(created["id"], created["client_secret"]),
    )
    assert (twice.status_code, twice.json()["error"]) == (400, "invalid_request")

    json_body = await identity.client.post(
        TOKEN,
        json={"grant_type": "client_credentials"},
        headers={"Authorization": basic(created["id"], created["client_secret"])["Authorization"]},
    )
    assert (json_body.status_code, json_body.json()["error"]) == (400, "invalid_request")

    posted = await identity.client.post(
        TOKEN,
        content=_form(
            {
                "grant_type": "client_credentials",
                "client_id": created["id"],
                "client_secret": created["client_secret"],
            }
        ),
        headers=FORM,
    )
    assert posted.status_code == 200, posted.text
    failures = [e for e in await audit_events(identity, created["id"]) if e[1] == "failure"]
    assert failures == [("api_client.token", "failure")] * 2  # bad secret, bad scope


async def test_rotation_keeps_the_old_secret_for_the_overlap_only(identity: Identity) -> None:
    admin = await creditor_admin(identity)
    created = await create(identity, admin)
    old = created["client_secret"]
    rotated = await identity.client.post(
        f"{CLIENTS}/{created['id']}/rotate-secret",
        json={"overlap_seconds": 600},
        headers=admin.headers,
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["client_secret"]
    assert new != old
    assert (await token(identity, created["id"], old)).status_code == 200
    assert (await token(identity, created["id"], new)).status_code == 200

    identity.clock.advance(timedelta(seconds=601))
    assert (await token(identity, created["id"], old)).status_code == 401
    assert (await token(identity, created["id"], new)).status_code == 200


async def test_a_revoked_client_gets_no_token_and_its_tokens_session_ends(
    identity: Identity,
) -> None:
    admin = await creditor_admin(identity)
    created = await create(identity, admin)
    body = (await token(identity, created["id"], created["client_secret"])).json()
    revoked = await identity.client.post(f"{CLIENTS}/{created['id']}/revoke", headers=admin.headers)
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    again = await identity.client.post(f"{CLIENTS}/{created['id']}/revoke", headers=admin.headers)
    assert again.status_code == 200

    refused = await token(identity, created["id"], created["client_secret"])
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    # the token's sid is the client: the session check every service makes says no
    principal_check = await identity.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert_problem(principal_check, 401, "unauthorized")
    rotate = await identity.client.post(
        f"{CLIENTS}/{created['id']}/rotate-secret", headers=admin.headers
    )
    assert_problem(rotate, 409, "api-client-revoked")
    events = [e for e, _ in await audit_events(identity, created["id"])]
    assert events.count("api_client.revoked") == 1


async def test_another_organisations_admin_and_a_plain_user_cannot_touch_a_client(
    identity: Identity,
) -> None:
    admin = await creditor_admin(identity)
    created = await create(identity, admin)
    stranger = await creditor_admin(identity)
    for method, path in (
        ("GET", f"{CLIENTS}/{created['id']}"),
        ("POST", f"{CLIENTS}/{created['id']}/rotate-secret"),
        ("POST", f"{CLIENTS}/{created['id']}/revoke"),
    ):
        response = await identity.client.request(method, path, headers=stranger.headers)
        assert_problem(response, 404, "api-client-not-found")
    assert (await identity.client.get(CLIENTS, headers=stranger.headers)).json() == []

    user = await identity.provision(admin.organisation_id, [Roles.CREDITOR])
    forbidden = await identity.client.post(
        CLIENTS, json={"name": "x", "scopes": ["cases:read"]}, headers=user.headers
    )
    assert_problem(forbidden, 403, "forbidden")


async def test_bad_scopes_and_networks_are_named(identity: Identity) -> None:
    admin = await creditor_admin(identity)
    unknown = await identity.client.post(
        CLIENTS, json={"name": "x", "scopes": ["cases:delete"]}, headers=admin.headers
    )
    assert_problem(unknown, 422, "api-client-invalid")
    assert unknown.json()["errors"][0]["field"] == "scopes"
    network = await identity.client.post(
        CLIENTS,
        json={"name": "x", "scopes": ["cases:read"], "allowed_networks": ["999.1.1.0/24"]},
        headers=admin.headers,
    )
    assert_problem(network, 422, "api-client-invalid")
    assert network.json()["errors"][0]["field"] == "allowed_networks"


async def test_the_allow_list_admits_only_its_networks(identity: Identity) -> None:
    admin = await creditor_admin(identity)
    created = await create(identity, admin, allowed_networks=["192.0.2.0/24"])
    assert created["allowed_networks"] == ["192.0.2.0/24"]
    form = _form({"grant_type": "client_credentials"})
    headers = basic(created["id"], created["client_secret"])
    outside = await identity.client.post(
        TOKEN, content=form, headers={**headers, "X-Forwarded-For": "198.51.100.7"}
    )
    assert (outside.status_code, outside.json()["error"]) == (401, "invalid_client")
    inside = await identity.client.post(
        TOKEN, content=form, headers={**headers, "X-Forwarded-For": "192.0.2.77"}
    )
    assert inside.status_code == 200, inside.text
