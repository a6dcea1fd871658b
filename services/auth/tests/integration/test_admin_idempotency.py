"""``Idempotency-Key`` on the administrators' POSTs (issue 14 §1): registering an
organisation, inviting a user, sending the invitation again, deactivating, reactivating and
revoking an API client. The same key and request do it once and replay the first answer;
the same key with another request (another body, or another path) is refused with 422."""

from __future__ import annotations

import uuid

import pytest
from auth.adapters.orm import organisations, users
from servicekit.roles import Roles
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.http import assert_problem
from sqlalchemy import func, select

from .conftest import Identity, unique_email

pytestmark = pytest.mark.integration

USERS = "/api/v1/auth/organisations/{}/users"


def keyed(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


async def test_an_organisation_is_registered_once_per_key(identity: Identity) -> None:
    admin = await identity.agency_admin()
    headers = keyed(admin.headers)
    body = {"name": unique_name(), "organisation_number": organisation_number(), "kind": "creditor"}

    first = await identity.client.post("/api/v1/auth/organisations", json=body, headers=headers)
    again = await identity.client.post("/api/v1/auth/organisations", json=body, headers=headers)

    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    async with identity.service.session_factory() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(organisations)
            .where(organisations.c.organisation_number == body["organisation_number"])
        )
    assert count == 1
    other = {**body, "organisation_number": organisation_number()}
    refused = await identity.client.post("/api/v1/auth/organisations", json=other, headers=headers)
    assert_problem(refused, 422, "idempotency-key-reused")


async def test_a_user_is_invited_once_per_key_and_mailed_once(
    identity_recording: Identity,
) -> None:
    identity = identity_recording
    assert identity.recorder is not None
    admin = await identity.agency_admin()
    organisation = await identity.organisation()
    headers = keyed(admin.headers)
    email = unique_email()
    body = {"email": email, "full_name": "Ingrid Haugland", "roles": [Roles.CREDITOR]}

    first = await identity.client.post(USERS.format(organisation), json=body, headers=headers)
    again = await identity.client.post(USERS.format(organisation), json=body, headers=headers)

    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert len(identity.recorder.to(email)) == 1
    async with identity.service.session_factory() as session:
        count = await session.scalar(
            select(func.count()).select_from(users).where(users.c.email == email)
        )
    assert count == 1
    other = {**body, "full_name": "Ingrid Haugland-Berg"}
    refused = await identity.client.post(USERS.format(organisation), json=other, headers=headers)
    assert_problem(refused, 422, "idempotency-key-reused")


async def test_with_a_key_a_failed_invitation_mail_saves_nothing_and_the_key_retries(
    identity_recording: Identity,
) -> None:
    identity = identity_recording
    assert identity.recorder is not None
    admin = await identity.agency_admin()
    organisation = await identity.organisation()
    headers = keyed(admin.headers)
    email = unique_email()
    body = {"email": email, "full_name": "Ola Nordmann", "roles": [Roles.CREDITOR]}

    identity.recorder.fail = True
    failed = await identity.client.post(USERS.format(organisation), json=body, headers=headers)
    assert_problem(failed, 502, "mail-not-sent")
    listed = await identity.client.get(USERS.format(organisation), headers=admin.headers)
    assert listed.json() == []

    identity.recorder.fail = False
    retried = await identity.client.post(USERS.format(organisation), json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    assert len(identity.recorder.to(email)) == 1


async def test_the_invitation_is_sent_again_once_per_key(identity_recording: Identity) -> None:
    identity = identity_recording
    assert identity.recorder is not None
    admin = await identity.agency_admin()
    organisation = await identity.organisation()
    email = unique_email()
    invited = await identity.client.post(
        USERS.format(organisation),
        json={"email": email, "full_name": "Kari Nordmann", "roles": [Roles.CREDITOR]},
        headers=admin.headers,
    )
    path = f"/api/v1/auth/users/{invited.json()['id']}/invitation"
    headers = keyed(admin.headers)

    first = await identity.client.post(path, headers=headers)
    again = await identity.client.post(path, headers=headers)

    assert first.status_code == again.status_code == 202, first.text
    assert again.json() == first.json()
    assert len(identity.recorder.to(email)) == 2  # the invitation and one more, not two


async def test_deactivating_and_reactivating_replay_per_key(identity: Identity) -> None:
    admin = await identity.agency_admin()
    organisation = await identity.organisation()
    user = await identity.provision(organisation, [Roles.CREDITOR], sign_in=False)
    other = await identity.provision(organisation, [Roles.CREDITOR], sign_in=False)
    headers = keyed(admin.headers)
    path = f"/api/v1/auth/users/{user.user_id}/deactivate"

    first = await identity.client.post(path, headers=headers)
    again = await identity.client.post(path, headers=headers)

    assert first.status_code == again.status_code == 200, first.text
    assert again.json() == first.json()
    assert first.json()["status"] == "deactivated"
    refused = await identity.client.post(  # the key belongs to the first user's request
        f"/api/v1/auth/users/{other.user_id}/deactivate", headers=headers
    )
    assert_problem(refused, 422, "idempotency-key-reused")

    reactivate = keyed(admin.headers)
    path = f"/api/v1/auth/users/{user.user_id}/reactivate"
    back = await identity.client.post(path, headers=reactivate)
    back_again = await identity.client.post(path, headers=reactivate)
    assert back.status_code == back_again.status_code == 200, back.text
    assert back_again.json() == back.json()


async def test_revoking_a_client_replays_per_key(identity: Identity) -> None:
    admin = await identity.provision(await identity.organisation(), [Roles.CREDITOR_ADMIN])
    created = await identity.client.post(
        "/api/v1/auth/clients",
        json={"name": "ERP", "scopes": ["cases:read"]},
        headers=admin.headers,
    )
    path = f"/api/v1/auth/clients/{created.json()['id']}/revoke"
    headers = keyed(admin.headers)

    first = await identity.client.post(path, headers=headers)
    again = await identity.client.post(path, headers=headers)

    assert first.status_code == again.status_code == 200, first.text
    assert again.json() == first.json()
    assert first.json()["status"] == "revoked"
