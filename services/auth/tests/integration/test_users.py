"""Managing users through the identity API: who sees whom, roles, deactivation.

A creditor admin manages their own organisation's users and nobody else's; another
organisation (or its users) answers 404 exactly like an id that does not exist.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from auth.adapters.orm import outbox
from auth.domain.model import OrganisationKind
from servicekit.roles import Roles
from servicekit.testing.http import assert_problem
from sqlalchemy import select

from .conftest import Account, Identity, unique_email

pytestmark = pytest.mark.integration

USERS = "/api/v1/auth/organisations/{}/users"
USER = "/api/v1/auth/users/{}"


async def events_about(identity: Identity, user_id: uuid.UUID) -> list[dict[str, Any]]:
    async with identity.service.session_factory() as session:
        rows = (await session.execute(select(outbox.c.body).order_by(outbox.c.id))).scalars()
        envelopes = [json.loads(body) for body in rows]
    return [e for e in envelopes if e["data"].get("user_id") == str(user_id)]


async def creditor_admin(identity: Identity) -> Account:
    organisation = await identity.organisation()
    return await identity.provision(organisation, [Roles.CREDITOR_ADMIN])


def invitation(roles: list[str] | None = None) -> dict[str, Any]:
    return {
        "email": unique_email(),
        "full_name": "Per Hansen",
        "roles": roles or [Roles.CREDITOR],
    }


async def test_a_creditor_admin_manages_their_own_organisation(identity: Identity) -> None:
    admin = await creditor_admin(identity)
    own = USERS.format(admin.organisation_id)

    invited = await identity.client.post(own, json=invitation(), headers=admin.headers)
    assert invited.status_code == 201, invited.text
    user_id = invited.json()["id"]
    listed = await identity.client.get(own, headers=admin.headers)
    assert listed.status_code == 200, listed.text
    assert {u["id"] for u in listed.json()} == {str(admin.user_id), user_id}

    fetched = await identity.client.get(USER.format(user_id), headers=admin.headers)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["email"] == invited.json()["email"]

    patched = await identity.client.patch(
        USER.format(user_id),
        json={"roles": [Roles.CREDITOR, Roles.CREDITOR_ADMIN], "full_name": " Per  Olav Hansen "},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["roles"] == [Roles.CREDITOR, Roles.CREDITOR_ADMIN]
    assert patched.json()["full_name"] == "Per Olav Hansen"


async def test_a_creditor_admin_cannot_see_or_change_another_organisation(
    identity: Identity,
) -> None:
    admin = await creditor_admin(identity)
    other = await identity.organisation()
    stranger = await identity.provision(other, [Roles.CREDITOR], sign_in=False)
    agency = await identity.organisation(OrganisationKind.AGENCY)
    staff = await identity.provision(
        agency, [Roles.CASE_HANDLER], kind=OrganisationKind.AGENCY, sign_in=False
    )
    nobody = uuid.uuid4()
    h = admin.headers

    attempts: list[tuple[str, httpx.Response]] = []
    for organisation in (other, agency, nobody):
        attempts += [
            ("list", await identity.client.get(USERS.format(organisation), headers=h)),
            (
                "invite",
                await identity.client.post(
                    USERS.format(organisation), json=invitation(), headers=h
                ),
            ),
        ]
    for user_id in (stranger.user_id, staff.user_id, nobody):
        attempts += [
            ("get", await identity.client.get(USER.format(user_id), headers=h)),
            (
                "patch",
                await identity.client.patch(
                    USER.format(user_id), json={"roles": [Roles.CREDITOR_ADMIN]}, headers=h
                ),
            ),
            (
                "deactivate",
                await identity.client.post(f"{USER.format(user_id)}/deactivate", headers=h),
            ),
            (
                "reactivate",
                await identity.client.post(f"{USER.format(user_id)}/reactivate", headers=h),
            ),
            ("resend", await identity.client.post(f"{USER.format(user_id)}/invitation", headers=h)),
        ]
    bodies = {}
    for what, response in attempts:
        body = assert_problem(response, 404, "not-found")
        bodies.setdefault(what, set()).add(body["detail"])
    # a real id of another tenant reads exactly like an id nobody has
    assert all(len(details) == 1 for details in bodies.values()), bodies

    agency_admin = await identity.agency_admin()
    seen = await identity.client.get(USER.format(stranger.user_id), headers=agency_admin.headers)
    assert seen.json()["roles"] == [Roles.CREDITOR]
    assert seen.json()["status"] == "active"
    # nothing happened to them: only their creation was ever announced
    assert [e["event_type"] for e in await events_about(identity, stranger.user_id)] == [
        "auth.user.registered"
    ]


async def test_a_creditor_admin_cannot_grant_agency_roles(identity: Identity) -> None:
    admin = await creditor_admin(identity)
    colleague = await identity.provision(admin.organisation_id, [Roles.CREDITOR], sign_in=False)

    for role in (Roles.AGENCY_ADMIN, Roles.CASE_HANDLER):
        invited = await identity.client.post(
            USERS.format(admin.organisation_id), json=invitation([role]), headers=admin.headers
        )
        problem = assert_problem(invited, 422, "role-not-allowed")
        assert [e["field"] for e in problem["errors"]] == ["roles"]
        promoted = await identity.client.patch(
            USER.format(colleague.user_id),
            json={"roles": [Roles.CREDITOR, role]},
            headers=admin.headers,
        )
        assert_problem(promoted, 422, "role-not-allowed")
        promoted_self = await identity.client.patch(
            USER.format(admin.user_id),
            json={"roles": [Roles.CREDITOR_ADMIN, role]},
            headers=admin.headers,
        )
        assert_problem(promoted_self, 422, "role-not-allowed")


async def test_an_agency_admin_manages_every_organisation(
    identity: Identity, agency_admin: Account
) -> None:
    creditor = await identity.organisation()
    for organisation, roles in (
        (creditor, [Roles.CREDITOR_ADMIN]),
        (agency_admin.organisation_id, [Roles.CASE_HANDLER]),
    ):
        invited = await identity.client.post(
            USERS.format(organisation), json=invitation(roles), headers=agency_admin.headers
        )
        assert invited.status_code == 201, invited.text
        assert invited.json()["organisation_id"] == str(organisation)
    wrong_kind = await identity.client.post(
        USERS.format(creditor), json=invitation([Roles.CASE_HANDLER]), headers=agency_admin.headers
    )
    assert_problem(wrong_kind, 422, "role-not-allowed")


async def test_only_administrators_manage_users(identity: Identity) -> None:
    organisation = await identity.organisation()
    creditor = await identity.provision(organisation, [Roles.CREDITOR])
    agency = await identity.organisation(OrganisationKind.AGENCY)
    handler = await identity.provision(agency, [Roles.CASE_HANDLER], kind=OrganisationKind.AGENCY)

    for account in (creditor, handler):
        listed = await identity.client.get(USERS.format(organisation), headers=account.headers)
        assert_problem(listed, 403, "forbidden")
        invited = await identity.client.post(
            USERS.format(organisation), json=invitation(), headers=account.headers
        )
        assert_problem(invited, 403, "forbidden")
    anonymous = await identity.client.get(USERS.format(organisation))
    assert_problem(anonymous, 401, "unauthorized")
    forged = await identity.client.get(
        USERS.format(organisation), headers={"Authorization": "Bearer not.a.token"}
    )
    assert_problem(forged, 401, "unauthorized")


async def test_nobody_deactivates_themself_or_drops_their_own_admin_role(
    identity: Identity, agency_admin: Account
) -> None:
    admin = await creditor_admin(identity)
    for who in (admin, agency_admin):
        own = USER.format(who.user_id)
        deactivated = await identity.client.post(f"{own}/deactivate", headers=who.headers)
        assert_problem(deactivated, 409, "own-account")
    demoted = await identity.client.patch(
        USER.format(admin.user_id), json={"roles": [Roles.CREDITOR]}, headers=admin.headers
    )
    assert_problem(demoted, 409, "own-account")
    demoted = await identity.client.patch(
        USER.format(agency_admin.user_id),
        json={"roles": [Roles.CASE_HANDLER]},
        headers=agency_admin.headers,
    )
    assert_problem(demoted, 409, "own-account")

    widened = await identity.client.patch(
        USER.format(admin.user_id),
        json={"roles": [Roles.CREDITOR_ADMIN, Roles.CREDITOR]},
        headers=admin.headers,
    )
    assert widened.status_code == 200, widened.text
    me = await identity.client.get("/api/v1/auth/me", headers=admin.headers)
    assert me.json()["status"] == "active"  # adding a role ends no session


async def test_deactivation_ends_every_session_and_is_announced(
    identity: Identity, agency_admin: Account
) -> None:
    admin = await creditor_admin(identity)
    user = await identity.provision(admin.organisation_id, [Roles.CREDITOR])
    second_session = await identity.sign_in(user)
    path = USER.format(user.user_id)

    deactivated = await identity.client.post(f"{path}/deactivate", headers=admin.headers)
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["status"] == "deactivated"

    for tokens in (user.tokens, second_session):
        assert_problem(await identity.refresh(tokens), 401, "invalid-token")
    me = await identity.client.get("/api/v1/auth/me", headers=user.headers)
    assert_problem(me, 401, "unauthorized")
    again = await identity.start_sign_in(user.email, user.password)
    assert_problem(again, 401, "invalid-credentials")

    [_, event] = await events_about(identity, user.user_id)  # registered, then deactivated
    assert event["event_type"] == "auth.user.deactivated"
    assert event["data"] == {
        "user_id": str(user.user_id),
        "organisation_id": str(admin.organisation_id),
    }

    twice = await identity.client.post(f"{path}/deactivate", headers=admin.headers)
    assert twice.status_code == 200, twice.text
    assert len(await events_about(identity, user.user_id)) == 2

    reactivated = await identity.client.post(f"{path}/reactivate", headers=admin.headers)
    assert reactivated.status_code == 200, reactivated.text
    assert reactivated.json()["status"] == "active"
    events = await events_about(identity, user.user_id)
    assert [e["event_type"] for e in events] == [
        "auth.user.registered",
        "auth.user.deactivated",
        "auth.user.registered",
    ]
    assert events[2]["data"] == {
        "user_id": str(user.user_id),
        "organisation_id": str(admin.organisation_id),
        "roles": [Roles.CREDITOR],
    }
    assert (await identity.sign_in_response(user)).status_code == 200

    not_deactivated = await identity.client.post(f"{path}/reactivate", headers=admin.headers)
    assert_problem(not_deactivated, 409, "user-state")


async def test_a_deactivated_invitee_is_not_announced_and_returns_as_invited(
    identity: Identity, agency_admin: Account
) -> None:
    organisation = await identity.organisation()
    invited = await identity.client.post(
        USERS.format(organisation), json=invitation(), headers=agency_admin.headers
    )
    user_id = invited.json()["id"]
    token = await identity.link_token(invited.json()["email"], "/invitation")

    deactivated = await identity.client.post(
        f"{USER.format(user_id)}/deactivate", headers=agency_admin.headers
    )
    assert deactivated.json()["status"] == "deactivated"
    accepted = await identity.client.post(
        "/api/v1/auth/invitations/accept",
        json={"token": token, "password": "fjellvann og multebær 2026"},
    )
    assert_problem(accepted, 410, "link-expired")  # deactivation voided the link
    reactivated = await identity.client.post(
        f"{USER.format(user_id)}/reactivate", headers=agency_admin.headers
    )
    assert reactivated.json()["status"] == "invited"
    assert not await events_about(identity, uuid.UUID(user_id))


async def test_taking_a_role_away_ends_the_users_sessions(identity: Identity) -> None:
    admin = await creditor_admin(identity)
    deputy = await identity.provision(admin.organisation_id, [Roles.CREDITOR, Roles.CREDITOR_ADMIN])
    demoted = await identity.client.patch(
        USER.format(deputy.user_id), json={"roles": [Roles.CREDITOR]}, headers=admin.headers
    )
    assert demoted.status_code == 200, demoted.text
    assert_problem(await identity.refresh(deputy.tokens), 401, "invalid-token")
    # the old access token still says creditor_admin, but the service asks the database
    listed = await identity.client.get(USERS.format(admin.organisation_id), headers=deputy.headers)
    assert_problem(listed, 401, "unauthorized")


async def test_a_deactivated_administrators_token_stops_working_at_once(
    identity: Identity, agency_admin: Account
) -> None:
    admin = await creditor_admin(identity)
    removed = await identity.client.post(
        f"{USER.format(admin.user_id)}/deactivate", headers=agency_admin.headers
    )
    assert removed.status_code == 200, removed.text
    # the access token itself has minutes to live; the service checks the session
    listed = await identity.client.get(USERS.format(admin.organisation_id), headers=admin.headers)
    assert_problem(listed, 401, "unauthorized")


async def test_patch_requests_are_validated(identity: Identity, agency_admin: Account) -> None:
    user = await identity.provision(await identity.organisation(), [Roles.CREDITOR], sign_in=False)
    for body in ({}, {"roles": []}, {"roles": ["root"]}, {"status": "active"}, {"full_name": ""}):
        response = await identity.client.patch(
            USER.format(user.user_id), json=body, headers=agency_admin.headers
        )
        assert_problem(response, 422, "validation-error")


async def test_names_the_service_cannot_keep_are_refused(
    identity: Identity, agency_admin: Account
) -> None:
    """Each was a 500: U+001C to U+001F are space to the name normalisation (not to a
    regular expression's ``\\s``), so the name was blank; PostgreSQL holds no U+0000."""
    organisation = await identity.organisation()
    user = await identity.provision(organisation, [Roles.CREDITOR], sign_in=False)
    for name in ("\x1f", " \x1c\x1d\x1e ", "Per\x00Hansen"):
        invited = await identity.client.post(
            USERS.format(organisation),
            json={**invitation(), "full_name": name},
            headers=agency_admin.headers,
        )
        assert_problem(invited, 422, "validation-error")
        patched = await identity.client.patch(
            USER.format(user.user_id), json={"full_name": name}, headers=agency_admin.headers
        )
        assert_problem(patched, 422, "validation-error")


async def test_a_user_made_directly_is_announced_too(identity: Identity) -> None:
    organisation = await identity.organisation()
    made = await identity.provision(organisation, [Roles.CREDITOR_ADMIN], sign_in=False)
    [event] = await events_about(identity, made.user_id)
    assert event["event_type"] == "auth.user.registered"
    assert event["data"] == {
        "user_id": str(made.user_id),
        "organisation_id": str(organisation),
        "roles": [Roles.CREDITOR_ADMIN],
    }
