"""``Idempotency-Key`` on creating an API client and rotating its secret: the same key and
body make one client (one rotation) and replay the first answer with its secret, which is
stored sealed, never in clear; the same key with another body is refused with 422."""

from __future__ import annotations

import uuid

import pytest
from auth.adapters.orm import api_clients, idempotency_keys
from servicekit.roles import Roles
from sqlalchemy import func, select

from .conftest import Identity

pytestmark = pytest.mark.integration

CLIENTS = "/api/v1/auth/clients"


async def test_one_client_per_key_and_the_secret_replayed_but_stored_sealed(
    identity: Identity,
) -> None:
    admin = await identity.provision(await identity.organisation(), [Roles.CREDITOR_ADMIN])
    headers = {**admin.headers, "Idempotency-Key": str(uuid.uuid4())}
    body = {"name": "ERP", "scopes": ["cases:read"]}

    first = await identity.client.post(CLIENTS, json=body, headers=headers)
    again = await identity.client.post(CLIENTS, json=body, headers=headers)

    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["cache-control"] == "no-store"
    secret = first.json()["client_secret"]
    async with identity.service.session_factory() as session:
        made = await session.scalar(
            select(func.count())
            .select_from(api_clients)
            .where(api_clients.c.organisation_id == admin.organisation_id)
        )
        stored = await session.scalar(
            select(idempotency_keys.c.response).where(
                idempotency_keys.c.key == headers["Idempotency-Key"]
            )
        )
    assert made == 1
    assert stored is not None
    assert secret not in str(stored)

    other = await identity.client.post(CLIENTS, json={**body, "name": "Another"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")


async def test_one_rotation_per_key(identity: Identity) -> None:
    admin = await identity.provision(await identity.organisation(), [Roles.CREDITOR_ADMIN])
    created = (
        await identity.client.post(
            CLIENTS, json={"name": "ERP", "scopes": ["cases:read"]}, headers=admin.headers
        )
    ).json()
    headers = {**admin.headers, "Idempotency-Key": str(uuid.uuid4())}
    path = f"{CLIENTS}/{created['id']}/rotate-secret"

    first = await identity.client.post(path, json={"overlap_seconds": 60}, headers=headers)
    again = await identity.client.post(path, json={"overlap_seconds": 60}, headers=headers)

    assert first.status_code == 200, first.text
    assert again.json() == first.json()
    assert first.json()["client_secret"] != created["client_secret"]
    refused = await identity.client.post(path, json={"overlap_seconds": 120}, headers=headers)
    assert refused.status_code == 422
