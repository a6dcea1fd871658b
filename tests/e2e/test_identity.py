"""Identity through the gateway, every process real: invitation to sign-out, lockout,
replayed codes, stolen refresh tokens, bad tokens, and the tenancy boundary."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass

import httpx
import pyotp
import pytest
from devstack.stack import Stack
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.wait import wait_for
from simulators.mail import extract_link

from .identity import Login, SignedIn, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "fjord kaffe lykt 2026"


@dataclass
class Creditor:
    organisation_id: str
    admin: Login


async def mail_link(stack: Stack, to: str, path: str) -> str:
    """The single-use token of the newest mail to ``to`` (from the link's ``#token=``)."""
    sink = f"http://127.0.0.1:{stack.config.port('mail-http')}"

    async def newest() -> str | None:
        async with httpx.AsyncClient() as client:
            messages = (await client.get(f"{sink}/messages", params={"to": to})).json()
        return messages[0]["text"] if messages else None

    text = await wait_for(newest, what=f"a mail to {to}", seconds=60)
    return extract_link(text, path).split("#token=", 1)[1]


async def onboard(
    stack: Stack,
    gateway: httpx.AsyncClient,
    inviter: dict[str, str],
    organisation_id: str,
    roles: list[str],
) -> Login:
    """Invite → mail → choose a password → enrol the authenticator → recovery codes."""
    email = f"ola.{secrets.token_hex(4)}@kreditor.example"
    invited = await gateway.post(
        f"/api/v1/auth/organisations/{organisation_id}/users",
        json={"email": email, "full_name": "Ola Nordmann", "roles": roles},
        headers=inviter,
    )
    assert invited.status_code == 201, invited.text
    token = await mail_link(stack, email, "/invitation")
    accepted = await gateway.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    enrolment = accepted.json()
    assert enrolment["qr_svg"].lstrip().startswith("<")
    confirmed = await gateway.post(
        "/api/v1/auth/invitations/confirm",
        json={
            "enrolment_token": enrolment["enrolment_token"],
            "code": pyotp.TOTP(enrolment["secret"]).now(),
        },
    )
    assert confirmed.status_code == 200, confirmed.text
    assert len(confirmed.json()["recovery_codes"]) == 10
    again = await gateway.post(
        "/api/v1/auth/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert again.status_code == 410  # the link worked once
    login = Login(email, PASSWORD, enrolment["secret"], tuple(roles))
    # the enrolment used this step's code; sign-ins must use a later one
    from .identity import _last_step

    _last_step[email] = int(time.time()) // 30
    return login


async def new_creditor(stack: Stack, gateway: httpx.AsyncClient, admin: dict[str, str]) -> Creditor:
    created = await gateway.post(
        "/api/v1/auth/organisations",
        json={"name": unique_name("Kreditor"), "organisation_number": organisation_number()},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    organisation_id = created.json()["id"]
    creditor_admin = await onboard(
        stack, gateway, admin, organisation_id, ["creditor_admin", "creditor"]
    )
    return Creditor(organisation_id, creditor_admin)


async def test_invitation_to_sign_out(
    stack: Stack, gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    creditor = await new_creditor(stack, gateway, admin)
    session = await sign_in(gateway, creditor.admin)
    me = await gateway.get("/api/v1/auth/me", headers=await session.headers())
    assert me.status_code == 200, me.text
    assert me.json()["email"] == creditor.admin.email

    rotated = await gateway.post(
        "/api/v1/auth/token", json={"refresh_token": session.refresh_token}
    )
    assert rotated.status_code == 200
    bearer = {"authorization": f"Bearer {rotated.json()['access_token']}"}
    assert (await gateway.get("/api/v1/auth/sessions", headers=bearer)).status_code == 200

    assert (await gateway.post("/api/v1/auth/sign-out", headers=bearer)).status_code == 204
    after = await gateway.get("/api/v1/auth/sessions", headers=bearer)
    assert after.status_code == 401  # the gateway knows at once: the token is still unexpired
    refresh = await gateway.post(
        "/api/v1/auth/token", json={"refresh_token": rotated.json()["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_wrong_passwords_until_lockout_then_even_the_right_one_waits(
    stack: Stack, gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    creditor = await new_creditor(stack, gateway, admin)
    email = creditor.admin.email
    for _ in range(5):
        wrong = await gateway.post(
            "/api/v1/auth/sign-in", json={"email": email, "password": "feil passord igjen"}
        )
        assert wrong.status_code == 401
    locked = await gateway.post("/api/v1/auth/sign-in", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.headers["content-type"].startswith("application/problem+json")
    assert int(locked.headers["retry-after"]) > 0


async def test_a_replayed_code_and_a_stolen_refresh_token(
    stack: Stack, gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    creditor = await new_creditor(stack, gateway, admin)
    login = creditor.admin
    session = await sign_in(gateway, login)
    used_code = pyotp.TOTP(login.totp_secret).at(int(time.time()) // 30 * 30)
    first = await gateway.post(
        "/api/v1/auth/sign-in", json={"email": login.email, "password": login.password}
    )
    replay = await gateway.post(
        "/api/v1/auth/sign-in/second-factor",
        json={"challenge": first.json()["challenge"], "code": used_code},
    )
    assert replay.status_code == 401

    stolen = session.refresh_token
    legit = await gateway.post("/api/v1/auth/token", json={"refresh_token": stolen})
    assert legit.status_code == 200
    thief = await gateway.post("/api/v1/auth/token", json={"refresh_token": stolen})
    assert thief.status_code == 401
    newest = await gateway.post(
        "/api/v1/auth/token", json={"refresh_token": legit.json()["refresh_token"]}
    )
    assert newest.status_code == 401  # the whole family is revoked
    revoked = {"authorization": f"Bearer {legit.json()['access_token']}"}
    assert (await gateway.get("/api/v1/auth/me", headers=revoked)).status_code == 401


def _b64(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


async def test_bad_tokens_are_refused_before_reaching_a_service(
    gateway: httpx.AsyncClient, agency_admin: SignedIn
) -> None:
    good = (await agency_admin.headers())["authorization"].split(" ", 1)[1]
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    head = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    expired = {**claims, "exp": int(time.time()) - 600, "iat": int(time.time()) - 900}
    candidates = {
        "forged": f"{header}.{_b64({**claims, 'roles': ['agency_admin', 'case_handler']})}"
        f".{signature}",
        "alg none": f"{_b64({**head, 'alg': 'none'})}.{payload}.",
        "wrong audience": f"{header}.{_b64({**claims, 'aud': 'someone-else'})}.{signature}",
        "expired": f"{header}.{_b64(expired)}.{signature}",
        "garbage": "abc.def.ghi",
    }
    for name, token in candidates.items():
        response = await gateway.get(
            "/api/v1/cases/creditors/" + claims["org"],
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"].startswith("Bearer"), name


async def test_a_creditor_admin_sees_only_their_own_organisation(
    stack: Stack, gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    first = await new_creditor(stack, gateway, admin)
    second = await new_creditor(stack, gateway, admin)
    own = await sign_in(gateway, first.admin)
    headers = await own.headers()

    mine = await gateway.get(
        f"/api/v1/auth/organisations/{first.organisation_id}/users", headers=headers
    )
    assert mine.status_code == 200
    assert first.admin.email in {u["email"] for u in mine.json()}

    theirs = await gateway.get(
        f"/api/v1/auth/organisations/{second.organisation_id}/users", headers=headers
    )
    assert theirs.status_code == 404
    invite_there = await gateway.post(
        f"/api/v1/auth/organisations/{second.organisation_id}/users",
        json={"email": "x@kreditor.example", "full_name": "X", "roles": ["creditor"]},
        headers=headers,
    )
    assert invite_there.status_code == 404
    as_agency = await gateway.post(
        f"/api/v1/auth/organisations/{first.organisation_id}/users",
        json={"email": "y@kreditor.example", "full_name": "Y", "roles": ["agency_admin"]},
        headers=headers,
    )
    assert as_agency.status_code == 422
    register = await gateway.post(
        "/api/v1/auth/organisations",
        json={"name": unique_name(), "organisation_number": organisation_number()},
        headers=headers,
    )
    assert register.status_code == 403
