"""A user's own credentials through the identity API: password reset by e-mail (never
without the second factor), changing the password, replacing the authenticator, new
recovery codes — and the other sessions ending with each change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from auth.domain.sessions import PASSWORD_RESET_TTL
from servicekit.roles import Roles
from servicekit.testing.http import assert_problem
from sqlalchemy import text

from .conftest import Account, Identity, unique_email

pytestmark = pytest.mark.integration

RESET = "/api/v1/auth/password-reset"
NEW_PASSWORD = "nordlys over finnmarksvidda"


async def user(identity: Identity) -> Account:
    return await identity.provision(await identity.organisation(), [Roles.CREDITOR])


async def request_reset(identity: Identity, email: str) -> httpx.Response:
    return await identity.client.post(RESET, json={"email": email})


async def confirm_reset(identity: Identity, token: str, **factor: str) -> httpx.Response:
    return await identity.client.post(
        f"{RESET}/confirm", json={"token": token, "password": NEW_PASSWORD, **factor}
    )


async def audit_trail(identity: Identity, account: Account) -> list[tuple[str, str]]:
    async with identity.service.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT event, outcome FROM audit_log WHERE user_id = :u ORDER BY id"),
            {"u": account.user_id},
        )
        return [(r.event, r.outcome) for r in rows]


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


# -- password reset ----------------------------------------------------------------------------


async def test_a_password_reset_needs_the_second_factor_and_ends_every_session(
    identity: Identity,
) -> None:
    account = await user(identity)
    other_session = await identity.sign_in(account)
    stranger = unique_email()

    unknown = await request_reset(identity, stranger)
    known = await request_reset(identity, account.email.upper())
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()

    token = await identity.link_token(account.email, "/password-reset")
    [mail] = await identity.mails_to(account.email)
    assert "Test" not in mail["text"]  # no name, only the link
    assert await identity.mails_to(stranger) == []  # requested first, so it would be here

    no_factor = await identity.client.post(
        f"{RESET}/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert_problem(no_factor, 422, "validation-error")
    wrong = await confirm_reset(identity, token, code=identity.wrong_code(account.totp_secret))
    assert_problem(wrong, 422, "code-rejected")
    weak = await identity.client.post(
        f"{RESET}/confirm",
        json={"token": token, "password": "for kort", "code": "000000"},
    )
    (refusal,) = assert_problem(weak, 422, "password-rejected")["errors"]
    assert refusal["code"] == "password_too_short"  # the portal translates the code
    assert refusal["min_length"] > len("for kort")

    done = await confirm_reset(identity, token, code=identity.next_code(account.totp_secret))
    assert done.status_code == 200, done.text
    assert done.json() == {"sessions_ended": 2}

    for tokens in (account.tokens, other_session):
        assert_problem(await identity.refresh(tokens), 401, "invalid-token")
    old = await identity.start_sign_in(account.email, account.password)
    assert_problem(old, 401, "invalid-credentials")
    account.password = NEW_PASSWORD
    assert (await identity.sign_in_response(account)).status_code == 200

    reused = await confirm_reset(identity, token, code=identity.next_code(account.totp_secret))
    assert_problem(reused, 410, "link-expired")
    trail = await audit_trail(identity, account)
    assert ("password_reset.requested", "success") in trail
    assert ("password.reset", "failure") in trail
    assert ("password.reset", "success") in trail


async def test_a_recovery_code_can_stand_in_for_the_authenticator(identity: Identity) -> None:
    account = await user(identity)
    await request_reset(identity, account.email)
    token = await identity.link_token(account.email, "/password-reset")
    done = await confirm_reset(identity, token, recovery_code=account.recovery_codes[0])
    assert done.status_code == 200, done.text
    challenge = (await identity.start_sign_in(account.email, NEW_PASSWORD)).json()["challenge"]
    spent = await identity.client.post(
        "/api/v1/auth/sign-in/second-factor",
        json={"challenge": challenge, "recovery_code": account.recovery_codes[0]},
    )
    assert_problem(spent, 401, "invalid-credentials")


async def test_an_expired_or_superseded_reset_link_is_gone(identity: Identity) -> None:
    account = await user(identity)
    await request_reset(identity, account.email)
    first = await identity.link_token(account.email, "/password-reset")
    await request_reset(identity, account.email)
    second = await identity.link_token(account.email, "/password-reset", count=2)

    superseded = await confirm_reset(identity, first, code=identity.next_code(account.totp_secret))
    assert_problem(superseded, 410, "link-expired")
    identity.clock.advance(PASSWORD_RESET_TTL + timedelta(seconds=1))
    expired = await confirm_reset(identity, second, code=identity.next_code(account.totp_secret))
    assert_problem(expired, 410, "link-expired")


async def test_no_reset_link_for_someone_not_active(
    identity: Identity, agency_admin: Account
) -> None:
    organisation = await identity.organisation()
    invited = await identity.client.post(
        f"/api/v1/auth/organisations/{organisation}/users",
        json={"email": unique_email(), "full_name": "Nora Berg", "roles": ["creditor"]},
        headers=agency_admin.headers,
    )
    email = invited.json()["email"]
    await identity.link_token(email, "/invitation")  # the invitation itself arrived

    asked = await request_reset(identity, email)
    assert asked.status_code == 202
    deactivated = await identity.provision(organisation, [Roles.CREDITOR], sign_in=False)
    await identity.client.post(
        f"/api/v1/auth/users/{deactivated.user_id}/deactivate", headers=agency_admin.headers
    )
    assert (await request_reset(identity, deactivated.email)).status_code == 202
    # a control request whose mail does arrive, sent after the two above
    control = await user(identity)
    await request_reset(identity, control.email)
    await identity.link_token(control.email, "/password-reset")

    assert [m["subject"] for m in await identity.mails_to(email)] == [
        "Invitasjon til InfoCenter / Invitation to InfoCenter"
    ]
    assert await identity.mails_to(deactivated.email) == []


async def test_reset_requests_are_throttled_per_address(identity: Identity) -> None:
    account = await user(identity)
    answers = [(await request_reset(identity, account.email)).json() for _ in range(7)]
    assert len({a["detail"] for a in answers}) == 1  # always the same answer
    await identity.link_token(account.email, "/password-reset", count=5)
    async with identity.service.engine.connect() as conn:
        throttled = await conn.scalar(
            text(
                "SELECT count(*) FROM audit_log WHERE event = 'password_reset.requested' "
                "AND outcome = 'throttled' AND subject_hash = :h"
            ),
            {"h": identity.service.identity.subject_hash(account.email)},
        )
    assert throttled == 2
    assert len(await identity.mails_to(account.email)) == 5


async def test_an_account_gets_at_most_five_reset_mails_a_day(identity: Identity) -> None:
    """The request throttle forgives (a minute, a quiet hour); the mailbox's limit does not:
    five reset mails, then none until the day is over, however the requests are spread."""
    account = await user(identity)
    for _ in range(8):
        answer = await request_reset(identity, account.email)
        assert answer.status_code == 202
        identity.clock.advance(timedelta(hours=2))  # every request throttle has forgiven
    await identity.link_token(account.email, "/password-reset", count=5)
    assert len(await identity.mails_to(account.email)) == 5
    async with identity.service.engine.connect() as conn:
        limited = await conn.scalar(
            text(
                "SELECT count(*) FROM audit_log WHERE event = 'password_reset.requested' "
                "AND outcome = 'mail_limit' AND user_id = :u"
            ),
            {"u": account.user_id},
        )
    assert limited == 3
    identity.clock.advance(timedelta(hours=9))  # a day after the first mail
    await request_reset(identity, account.email)
    await identity.link_token(account.email, "/password-reset", count=6)


async def test_a_reset_refuses_the_users_own_e_mail_and_name_as_password(
    identity: Identity,
) -> None:
    account = await user(identity)
    assert (await request_reset(identity, account.email)).status_code == 202
    token = await identity.link_token(account.email, "/password-reset")
    for own in (account.email, account.email.upper(), "Test Testesen 2026!"):
        refused = await identity.client.post(
            f"{RESET}/confirm",
            json={
                "token": token,
                "password": own,
                "code": identity.next_code(account.totp_secret),
            },
        )
        assert_problem(refused, 422, "password-rejected")
    done = await confirm_reset(identity, token, code=identity.next_code(account.totp_secret))
    assert done.status_code == 200, done.text  # the link was still usable


# -- signed in: password, authenticator, recovery codes ----------------------------------------


async def test_changing_the_password_ends_the_other_sessions(identity: Identity) -> None:
    account = await user(identity)
    other = await identity.sign_in(account)

    wrong = await identity.client.post(
        "/api/v1/auth/me/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=account.headers,
    )
    assert_problem(wrong, 403, "reauthentication-failed")
    same = await identity.client.post(
        "/api/v1/auth/me/password",
        json={"current_password": account.password, "new_password": account.password},
        headers=account.headers,
    )
    assert_problem(same, 422, "password-rejected")
    for own in (account.email, f"{account.email.split('@')[0]}-2026"):
        own_email = await identity.client.post(
            "/api/v1/auth/me/password",
            json={"current_password": account.password, "new_password": own},
            headers=account.headers,
        )
        assert_problem(own_email, 422, "password-rejected")

    changed = await identity.client.post(
        "/api/v1/auth/me/password",
        json={"current_password": account.password, "new_password": NEW_PASSWORD},
        headers=account.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"sessions_ended": 1}

    assert_problem(await identity.refresh(other), 401, "invalid-token")
    assert_problem(
        await identity.client.get("/api/v1/auth/me", headers=bearer(other)), 401, "unauthorized"
    )
    kept = await identity.refresh(account.tokens)
    assert kept.status_code == 200, kept.text
    assert (await identity.client.get("/api/v1/auth/me", headers=bearer(kept.json()))).is_success

    old = await identity.start_sign_in(account.email, account.password)
    assert_problem(old, 401, "invalid-credentials")
    account.password = NEW_PASSWORD
    assert (await identity.sign_in_response(account)).status_code == 200
    trail = await audit_trail(identity, account)
    assert ("password.changed", "failure") in trail
    assert ("password.changed", "success") in trail


async def test_guessing_the_current_password_is_throttled(identity: Identity) -> None:
    account = await user(identity)
    statuses = []
    for attempt in range(6):
        response = await identity.client.post(
            "/api/v1/auth/me/password",
            json={"current_password": f"guess number {attempt}", "new_password": NEW_PASSWORD},
            headers=account.headers,
        )
        statuses.append(response.status_code)
    assert statuses == [403] * 5 + [429]


async def test_replacing_the_authenticator(identity: Identity) -> None:
    account = await user(identity)
    other = await identity.sign_in(account)
    old_secret = account.totp_secret

    no_password = await identity.client.post(
        "/api/v1/auth/me/totp",
        json={"password": "wrong password!", "code": identity.next_code(old_secret)},
        headers=account.headers,
    )
    assert_problem(no_password, 403, "reauthentication-failed")
    no_code = await identity.client.post(
        "/api/v1/auth/me/totp", json={"password": account.password}, headers=account.headers
    )
    assert_problem(no_code, 422, "validation-error")

    started = await identity.client.post(
        "/api/v1/auth/me/totp",
        json={"password": account.password, "code": identity.next_code(old_secret)},
        headers=account.headers,
    )
    assert started.status_code == 200, started.text
    assert started.headers["cache-control"] == "no-store"
    enrolment = started.json()
    new_secret = enrolment["secret"]
    assert new_secret != old_secret

    wrong = await identity.client.post(
        "/api/v1/auth/me/totp/confirm",
        json={
            "enrolment_token": enrolment["enrolment_token"],
            "code": identity.wrong_code(new_secret),
        },
        headers=account.headers,
    )
    assert_problem(wrong, 422, "code-rejected")
    confirmed = await identity.client.post(
        "/api/v1/auth/me/totp/confirm",
        json={
            "enrolment_token": enrolment["enrolment_token"],
            "code": identity.next_code(new_secret),
        },
        headers=account.headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"sessions_ended": 1}
    assert_problem(await identity.refresh(other), 401, "invalid-token")
    assert (await identity.refresh(account.tokens)).status_code == 200

    with_old = await identity.sign_in_response(account, code=identity.next_code(old_secret))
    assert_problem(with_old, 401, "invalid-credentials")
    account.totp_secret = new_secret
    assert (await identity.sign_in_response(account)).status_code == 200


async def test_a_lost_authenticator_is_replaced_with_a_recovery_code(identity: Identity) -> None:
    account = await user(identity)
    started = await identity.client.post(
        "/api/v1/auth/me/totp",
        json={"password": account.password, "recovery_code": account.recovery_codes[5]},
        headers=account.headers,
    )
    assert started.status_code == 200, started.text
    enrolment = started.json()
    confirmed = await identity.client.post(
        "/api/v1/auth/me/totp/confirm",
        json={
            "enrolment_token": enrolment["enrolment_token"],
            "code": identity.next_code(enrolment["secret"]),
        },
        headers=account.headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    me = await identity.client.get("/api/v1/auth/me", headers=account.headers)
    assert me.json()["recovery_codes_left"] == 9


async def test_an_enrolment_token_is_only_for_its_own_user(identity: Identity) -> None:
    first, second = await user(identity), await user(identity)
    started = await identity.client.post(
        "/api/v1/auth/me/totp",
        json={"password": first.password, "code": identity.next_code(first.totp_secret)},
        headers=first.headers,
    )
    enrolment = started.json()
    hijacked = await identity.client.post(
        "/api/v1/auth/me/totp/confirm",
        json={
            "enrolment_token": enrolment["enrolment_token"],
            "code": identity.next_code(enrolment["secret"]),
        },
        headers=second.headers,
    )
    assert_problem(hijacked, 410, "link-expired")


async def test_new_recovery_codes_replace_the_old_ones(identity: Identity) -> None:
    account = await user(identity)
    other = await identity.sign_in(account)
    wrong = await identity.client.post(
        "/api/v1/auth/me/recovery-codes",
        json={"recovery_code": "AAAA-BBBB-CCCC-DDDD"},
        headers=account.headers,
    )
    assert_problem(wrong, 403, "reauthentication-failed")

    response = await identity.client.post(
        "/api/v1/auth/me/recovery-codes",
        json={"code": identity.next_code(account.totp_secret)},
        headers=account.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    codes = response.json()["recovery_codes"]
    assert len(codes) == 10
    assert not set(codes) & set(account.recovery_codes)
    assert_problem(await identity.refresh(other), 401, "invalid-token")

    for recovery_code, status in ((account.recovery_codes[0], 401), (codes[0], 200)):
        challenge = (await identity.start_sign_in(account.email, account.password)).json()
        answer = await identity.client.post(
            "/api/v1/auth/sign-in/second-factor",
            json={"challenge": challenge["challenge"], "recovery_code": recovery_code},
        )
        assert answer.status_code == status, answer.text
    me = await identity.client.get("/api/v1/auth/me", headers=account.headers)
    assert me.json()["recovery_codes_left"] == 9
