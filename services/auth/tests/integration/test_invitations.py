"""Joining by invitation, through the identity API: mail over real SMTP into the mail sink,
then password, authenticator enrolment, recovery codes, sign-in, refresh and sign-out.

Real PostgreSQL; the service's clock is moved by the test (TOTP steps, link expiry).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from auth.adapters.orm import outbox, users
from auth.domain.sessions import ENROLMENT_TTL, INVITATION_TTL
from servicekit.roles import Roles
from servicekit.testing.http import assert_problem
from servicekit.testing.wait import wait_for
from sqlalchemy import insert, select, text

from .conftest import Account, Identity, unique_email

pytestmark = pytest.mark.integration

USERS = "/api/v1/auth/organisations/{}/users"
NEW_PASSWORD = "fjellvann og multebær 2026"


async def events_about(identity: Identity, user_id: str) -> list[dict[str, Any]]:
    """Envelopes in the outbox whose event concerns ``user_id``, oldest first."""
    async with identity.service.session_factory() as session:
        rows = (await session.execute(select(outbox.c.body).order_by(outbox.c.id))).scalars()
        envelopes = [json.loads(body) for body in rows]
    return [e for e in envelopes if e["data"].get("user_id") == user_id]


async def audit_trail(identity: Identity, user_id: str) -> list[tuple[str, str]]:
    async with identity.service.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT event, outcome FROM audit_log WHERE user_id = :u ORDER BY id"),
            {"u": user_id},
        )
        return [(r.event, r.outcome) for r in rows]


async def invite(
    identity: Identity,
    admin: Account,
    organisation_id: uuid.UUID,
    *,
    roles: list[str] | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    response = await identity.client.post(
        USERS.format(organisation_id),
        json={
            "email": email or unique_email(),
            "full_name": "Ingrid Haugland",
            "roles": roles or [Roles.CREDITOR],
        },
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def accept(identity: Identity, token: str, password: str = NEW_PASSWORD) -> Any:
    return await identity.client.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": password}
    )


async def confirm(identity: Identity, enrolment_token: str, code: str) -> Any:
    return await identity.client.post(
        "/api/v1/auth/invitations/confirm",
        json={"enrolment_token": enrolment_token, "code": code},
    )


async def test_invited_user_joins_enrols_signs_in_refreshes_and_signs_out(
    identity: Identity, agency_admin: Account
) -> None:
    creditor = await identity.organisation()
    invited = await invite(identity, agency_admin, creditor, roles=[Roles.CREDITOR_ADMIN])
    assert invited["status"] == "invited"
    assert invited["second_factor_enrolled"] is False
    assert invited["roles"] == [Roles.CREDITOR_ADMIN]

    # The mail carries the link and nothing personal.
    token = await identity.link_token(invited["email"], "/invitation")
    [mail] = await identity.mails_to(invited["email"])
    assert "Invitasjon" in mail["subject"]
    for personal in ("Ingrid", "Haugland", invited["email"].split("@")[0]):
        assert personal not in mail["text"]
        assert personal not in (mail["html"] or "")
    assert f"https://portal.infocenter.test/invitation#token={token}" in mail["text"]

    # Step 1: password; the answer holds the authenticator to set up.
    accepted = await accept(identity, token)
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["cache-control"] == "no-store"
    enrolment = accepted.json()
    secret = enrolment["secret"]
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/InfoCenter:")
    assert f"secret={secret}" in enrolment["otpauth_uri"]
    assert enrolment["qr_svg"].startswith("<svg")
    assert "<path" in enrolment["qr_svg"]

    # Not active yet: the password alone does not sign in.
    early = await identity.start_sign_in(invited["email"], NEW_PASSWORD)
    assert_problem(early, 401, "invalid-credentials")

    # Step 2: the first code activates the account and shows the recovery codes once.
    first_code = identity.next_code(secret)
    confirmed = await confirm(identity, enrolment["enrolment_token"], first_code)
    assert confirmed.status_code == 200, confirmed.text
    recovery_codes = confirmed.json()["recovery_codes"]
    assert len(recovery_codes) == 10
    assert len(set(recovery_codes)) == 10

    [registered] = await events_about(identity, invited["id"])
    assert registered["event_type"] == "auth.user.registered"
    assert registered["data"] == {
        "user_id": invited["id"],
        "organisation_id": str(creditor),
        "roles": [Roles.CREDITOR_ADMIN],
    }

    # The code that confirmed the enrolment cannot sign in again (single use).
    account = Account(uuid.UUID(invited["id"]), creditor, invited["email"], NEW_PASSWORD, secret)
    replay = await identity.sign_in_response(account, code=first_code)
    assert_problem(replay, 401, "invalid-credentials")

    tokens = await identity.sign_in(account)
    me = await identity.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200, me.text
    assert me.json() == {
        "id": invited["id"],
        "organisation_id": str(creditor),
        "email": invited["email"],
        "full_name": "Ingrid Haugland",
        "roles": [Roles.CREDITOR_ADMIN],
        "status": "active",
        "recovery_codes_left": 10,
    }

    rotated = await identity.refresh(tokens)
    assert rotated.status_code == 200, rotated.text
    rotated_tokens = rotated.json()
    signed_out = await identity.client.post(
        "/api/v1/auth/sign-out",
        headers={"Authorization": f"Bearer {rotated_tokens['access_token']}"},
    )
    assert signed_out.status_code == 204, signed_out.text
    assert_problem(await identity.refresh(rotated_tokens), 401, "invalid-token")

    # A recovery code signs in too (once).
    challenge = (await identity.start_sign_in(invited["email"], NEW_PASSWORD)).json()
    by_recovery = await identity.client.post(
        "/api/v1/auth/sign-in/second-factor",
        json={"challenge": challenge["challenge"], "recovery_code": recovery_codes[3]},
    )
    assert by_recovery.status_code == 200, by_recovery.text

    trail = await audit_trail(identity, invited["id"])
    for expected in [
        ("user.invited", "success"),
        ("invitation.accepted", "success"),
        ("enrolment.confirmed", "success"),
        ("user.activated", "success"),
        ("sign_in", "success"),
    ]:
        assert expected in trail
    async with identity.service.engine.connect() as conn:
        actor = await conn.scalar(
            text("SELECT actor_id FROM audit_log WHERE user_id = :u AND event = 'user.invited'"),
            {"u": invited["id"]},
        )
        stored = await conn.execute(
            text("SELECT code_hash FROM recovery_codes WHERE user_id = :u"), {"u": invited["id"]}
        )
        hashes = {r.code_hash for r in stored}
    assert actor == agency_admin.user_id
    assert not hashes & {c.replace("-", "") for c in recovery_codes}  # only digests stored


async def test_a_used_invitation_link_is_gone(identity: Identity, agency_admin: Account) -> None:
    invited = await invite(identity, agency_admin, await identity.organisation())
    token = await identity.link_token(invited["email"], "/invitation")
    assert (await accept(identity, token)).status_code == 200
    assert_problem(await accept(identity, token), 410, "link-expired")


async def test_an_expired_invitation_link_is_gone(
    identity: Identity, agency_admin: Account
) -> None:
    invited = await invite(identity, agency_admin, await identity.organisation())
    token = await identity.link_token(invited["email"], "/invitation")
    identity.clock.advance(INVITATION_TTL + timedelta(seconds=1))
    assert_problem(await accept(identity, token), 410, "link-expired")


async def test_an_unknown_or_mangled_link_is_gone(identity: Identity) -> None:
    assert_problem(await accept(identity, "x" * 43), 410, "link-expired")
    bad_enrolment = await confirm(identity, "y" * 43 + "." + "z" * 40, "123456")
    assert_problem(bad_enrolment, 410, "link-expired")


async def test_resending_an_invitation_voids_the_earlier_link(
    identity: Identity, agency_admin: Account
) -> None:
    invited = await invite(identity, agency_admin, await identity.organisation())
    first = await identity.link_token(invited["email"], "/invitation")
    resent = await identity.client.post(
        f"/api/v1/auth/users/{invited['id']}/invitation", headers=agency_admin.headers
    )
    assert resent.status_code == 202, resent.text
    second = await identity.link_token(invited["email"], "/invitation", count=2)
    assert second != first
    assert_problem(await accept(identity, first), 410, "link-expired")
    assert (await accept(identity, second)).status_code == 200


async def test_a_weak_password_is_refused_and_the_link_stays_usable(
    identity: Identity, agency_admin: Account
) -> None:
    invited = await invite(identity, agency_admin, await identity.organisation())
    token = await identity.link_token(invited["email"], "/invitation")

    short = await accept(identity, token, "kort")
    assert [e["field"] for e in assert_problem(short, 422, "password-rejected")["errors"]] == [
        "password"
    ]
    common = await accept(identity, token, "passwordpassword")
    assert_problem(common, 422, "password-rejected")
    own_name = await accept(identity, token, "ingridhaugland")
    assert_problem(own_name, 422, "password-rejected")

    assert (await accept(identity, token)).status_code == 200


async def test_enrolment_needs_the_right_code_and_its_token_works_once(
    identity: Identity, agency_admin: Account
) -> None:
    invited = await invite(identity, agency_admin, await identity.organisation())
    enrolment = (
        await accept(identity, await identity.link_token(invited["email"], "/invitation"))
    ).json()

    wrong = await confirm(
        identity, enrolment["enrolment_token"], identity.wrong_code(enrolment["secret"])
    )
    assert_problem(wrong, 422, "code-rejected")
    other_secret = pyotp.random_base32()
    assert_problem(
        await confirm(identity, enrolment["enrolment_token"], pyotp.TOTP(other_secret).now()),
        422,
        "code-rejected",
    )
    # The sealed secret cannot be swapped for another: the token is bound to it.
    nonce, _, _ = enrolment["enrolment_token"].partition(".")
    forged = await confirm(identity, nonce + ".AAAA", identity.next_code(enrolment["secret"]))
    assert_problem(forged, 410, "link-expired")

    ok = await confirm(
        identity, enrolment["enrolment_token"], identity.next_code(enrolment["secret"])
    )
    assert ok.status_code == 200, ok.text
    again = await confirm(
        identity, enrolment["enrolment_token"], identity.next_code(enrolment["secret"])
    )
    assert_problem(again, 410, "link-expired")
    assert ("enrolment.confirmed", "failure") in await audit_trail(identity, invited["id"])


async def test_an_expired_enrolment_needs_a_new_invitation(
    identity: Identity, agency_admin: Account
) -> None:
    invited = await invite(identity, agency_admin, await identity.organisation())
    enrolment = (
        await accept(identity, await identity.link_token(invited["email"], "/invitation"))
    ).json()
    resent = await identity.client.post(
        f"/api/v1/auth/users/{invited['id']}/invitation", headers=agency_admin.headers
    )
    assert resent.status_code == 202, resent.text
    # resending voided the pending enrolment too
    voided = await confirm(
        identity, enrolment["enrolment_token"], identity.next_code(enrolment["secret"])
    )
    assert_problem(voided, 410, "link-expired")

    token = await identity.link_token(invited["email"], "/invitation", count=2)
    enrolment = (await accept(identity, token)).json()
    identity.clock.advance(ENROLMENT_TTL + timedelta(seconds=1))
    late = await confirm(
        identity, enrolment["enrolment_token"], identity.next_code(enrolment["secret"])
    )
    assert_problem(late, 410, "link-expired")
    assert not await events_about(identity, invited["id"])


async def test_an_address_already_in_use_cannot_be_invited_again(
    identity: Identity, agency_admin: Account
) -> None:
    organisation = await identity.organisation()
    invited = await invite(identity, agency_admin, organisation)
    again = await identity.client.post(
        USERS.format(organisation),
        json={
            "email": invited["email"].upper(),
            "full_name": "Someone Else",
            "roles": [Roles.CREDITOR],
        },
        headers=agency_admin.headers,
    )
    assert_problem(again, 409, "user-exists")


async def test_invitation_requests_are_validated(identity: Identity, agency_admin: Account) -> None:
    organisation = await identity.organisation()
    cases = [
        {"email": "not-an-address", "full_name": "A B", "roles": ["creditor"]},
        {"email": unique_email(), "full_name": "A B", "roles": ["superuser"]},
        {"email": unique_email(), "full_name": "A B", "roles": []},
        {"email": unique_email(), "full_name": "   ", "roles": ["creditor"]},
        {"email": unique_email(), "full_name": "A B", "roles": ["creditor"], "admin": True},
    ]
    for body in cases:
        response = await identity.client.post(
            USERS.format(organisation), json=body, headers=agency_admin.headers
        )
        assert_problem(response, 422, "validation-error")


async def test_when_the_mail_relay_refuses_the_user_is_kept_and_can_be_invited_again(
    identity_recording: Identity,
) -> None:
    identity = identity_recording
    assert identity.recorder is not None
    admin = await identity.agency_admin()
    organisation = await identity.organisation()
    identity.recorder.fail = True
    email = unique_email()
    response = await identity.client.post(
        USERS.format(organisation),
        json={"email": email, "full_name": "Ola Nordmann", "roles": ["creditor"]},
        headers=admin.headers,
    )
    assert_problem(response, 502, "mail-not-sent")
    [kept] = (await identity.client.get(USERS.format(organisation), headers=admin.headers)).json()
    assert (kept["email"], kept["status"]) == (email, "invited")
    assert ("invitation.mail", "failure") in await audit_trail(identity, kept["id"])

    identity.recorder.fail = False
    resent = await identity.client.post(
        f"/api/v1/auth/users/{kept['id']}/invitation", headers=admin.headers
    )
    assert resent.status_code == 202, resent.text
    token = await identity.link_token(email, "/invitation")
    assert (await accept(identity, token)).status_code == 200


async def test_only_invited_users_get_a_new_invitation(identity: Identity) -> None:
    admin = await identity.agency_admin()
    user = await identity.provision(await identity.organisation(), [Roles.CREDITOR])
    response = await identity.client.post(
        f"/api/v1/auth/users/{user.user_id}/invitation", headers=admin.headers
    )
    assert_problem(response, 409, "user-state")


async def test_losing_the_race_for_an_address_is_a_conflict_not_a_crash(
    identity: Identity, agency_admin: Account
) -> None:
    """Another transaction takes the address between our check and our insert."""
    organisation = await identity.organisation()
    email = unique_email()
    async with identity.service.engine.connect() as rival:
        transaction = await rival.begin()
        await rival.execute(
            insert(users).values(
                id=uuid.uuid4(),
                organisation_id=organisation,
                email=email,
                full_name="Rival",
                roles=[Roles.CREDITOR],
                status="invited",
            )
        )
        request = asyncio.create_task(
            identity.client.post(
                USERS.format(organisation),
                json={"email": email, "full_name": "Kari", "roles": [Roles.CREDITOR]},
                headers=agency_admin.headers,
            )
        )

        async def insert_waits_for_the_rival() -> bool:
            async with identity.service.engine.connect() as conn:
                waiting = await conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO users%'"
                    )
                )
            return bool(waiting)

        await wait_for(insert_waits_for_the_rival, what="the invitation's insert to block")
        await transaction.commit()
    assert_problem(await request, 409, "user-exists")


async def organisation_name(identity: Identity, organisation_id: uuid.UUID) -> str:
    async with identity.service.engine.connect() as conn:
        name: str = (
            await conn.execute(
                text("SELECT name FROM organisations WHERE id = :id"), {"id": organisation_id}
            )
        ).scalar_one()
    return name


async def test_the_invitees_own_e_mail_name_or_organisation_is_no_password(
    identity: Identity, agency_admin: Account
) -> None:
    organisation_id = await identity.organisation()
    invited = await invite(identity, agency_admin, organisation_id)
    token = await identity.link_token(invited["email"], "/invitation")
    email = invited["email"]
    for own in (
        email,
        email.upper(),
        email.split("@")[0] + "2026!",
        "Ingrid Haugland 1987",
        await organisation_name(identity, organisation_id),
    ):
        refused = await accept(identity, token, own)
        assert_problem(refused, 422, "password-rejected")

    assert (await accept(identity, token)).status_code == 200  # the link was not spent
