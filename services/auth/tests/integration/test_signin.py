"""Signing in through the identity API: password, second factor, sessions, tokens, throttling.

Real PostgreSQL; the clock is the handlers' own (advanced by the test) so timeouts and
lockouts are checked without waiting.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pyotp
import pytest
from auth.adapters.credentials import Argon2PasswordHasher
from auth.bootstrap import AuthService, bootstrap
from auth.domain.model import OrganisationKind
from auth.domain.ports import OutgoingMail
from auth.entrypoints.api import create_app
from auth.service_layer.accounts import ProvisionedUser, provision_user
from auth.service_layer.handlers import RegisterOrganisation, register_organisation
from auth.settings import AuthSettings
from servicekit.internal import ServiceCredential
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.http import asgi_client, assert_problem
from sqlalchemy import text

from .conftest import DATA_KEYS, LOOKUP_KEY

pytestmark = pytest.mark.integration

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
PASSWORD = "lang og hemmelig frase 42"
GATEWAY = ServiceCredential("gateway", secrets.token_urlsafe(32))
"""The gateway's credential for the internal session endpoint."""


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class NoMail:
    async def send(self, message: OutgoingMail) -> None:  # sign-in sends no mail
        raise AssertionError(f"unexpected mail: {message.subject}")


@dataclass
class World:
    service: AuthService
    client: httpx.AsyncClient
    clock: Clock
    user: ProvisionedUser
    organisation_id: uuid.UUID

    async def session_state(self, session_id: object) -> dict[str, bool]:
        """The internal endpoint's answer, asked as the gateway."""
        response = await self.client.get(
            f"/internal/v1/sessions/{session_id}", headers=GATEWAY.headers()
        )
        assert response.status_code == 200, response.text
        answer: dict[str, bool] = response.json()
        return answer

    def code(self, offset_steps: int = 0) -> str:
        moment = self.clock.now + timedelta(seconds=30 * offset_steps)
        return pyotp.TOTP(self.user.totp_secret).at(moment)

    async def sign_in(
        self, *, password: str = PASSWORD, code: str | None = None, ip: str = "10.1.1.1"
    ) -> httpx.Response:
        first = await self.client.post(
            "/api/v1/auth/sign-in",
            json={"email": self.user.email, "password": password},
            headers={"x-forwarded-for": ip},
        )
        if first.status_code != 200:
            return first
        if code is None:  # each code works once: sign-ins in a row need the next step's
            self.clock.advance(timedelta(seconds=30))
        return await self.client.post(
            "/api/v1/auth/sign-in/second-factor",
            json={"challenge": first.json()["challenge"], "code": code or self.code()},
            headers={"x-forwarded-for": ip},
        )


@pytest.fixture
async def world(
    service_database: Callable[[str, Path], Awaitable[str]], bus_namespace: str
) -> AsyncIterator[World]:
    url = await service_database("auth", ALEMBIC_INI)
    clock = Clock()
    service = bootstrap(
        AuthSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}auth{uuid.uuid4().hex[:6]}.",
            data_keys=DATA_KEYS,
            lookup_key=LOOKUP_KEY,
            internal_callers={GATEWAY.name: GATEWAY.secret},
        ),
        mailer=NoMail(),
        clock=clock,
        hasher=Argon2PasswordHasher(time_cost=1, memory_kib=8 * 1024),
    )
    organisation = await register_organisation(
        RegisterOrganisation(unique_name(), organisation_number(), OrganisationKind.CREDITOR),
        service.unit_of_work(),
    )
    user = await provision_user(
        service.unit_of_work(),
        service.identity,
        organisation_id=organisation.id,
        organisation_kind=OrganisationKind.CREDITOR,
        email=f"kari.{uuid.uuid4().hex[:6]}@nordlys.test",
        full_name="Kari Nordmann",
        roles=["creditor"],
        password=PASSWORD,
    )
    app = create_app(service)
    async with asgi_client(app) as client:
        yield World(service, client, clock, user, organisation.id)
    await service.close()


async def audit_events(world: World, user_id: uuid.UUID | None = None) -> list[tuple[str, str]]:
    async with world.service.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT event, outcome FROM audit_log WHERE user_id = :u ORDER BY id"),
            {"u": user_id or world.user.user_id},
        )
        return [(r.event, r.outcome) for r in rows]


async def test_password_then_code_gives_tokens_every_service_accepts(world: World) -> None:
    response = await world.sign_in()
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 300
    principal = await world.service.token_verifier.verify(tokens["access_token"])
    assert principal.user_id == world.user.user_id
    assert principal.organisation_id == world.organisation_id
    assert principal.roles == {"creditor"}
    assert str(principal.session_id) == tokens["session_id"]

    jwks = (await world.client.get("/api/v1/auth/.well-known/jwks.json")).json()
    # the run's database is shared: test_cli may have rotated the key, so the old one is
    # still published beside the new; the key that signed this token must be among them
    kid = jwt.get_unverified_header(tokens["access_token"])["kid"]
    assert kid in {k["kid"] for k in jwks["keys"]}
    assert {k["alg"] for k in jwks["keys"]} == {"EdDSA"}
    assert all("d" not in k for k in jwks["keys"])  # never the private part
    assert ("sign_in", "success") in await audit_events(world)


async def test_wrong_password_and_unknown_account_look_the_same(world: World) -> None:
    wrong = await world.sign_in(password="not the password at all")
    unknown = await world.client.post(
        "/api/v1/auth/sign-in",
        json={"email": "nobody@nowhere.test", "password": "not the password at all"},
    )
    body_wrong = assert_problem(wrong, 401, "invalid-credentials")
    body_unknown = assert_problem(unknown, 401, "invalid-credentials")
    assert body_wrong["detail"] == body_unknown["detail"]
    assert ("sign_in.password", "failure") in await audit_events(world)
    async with world.service.engine.connect() as conn:
        hashed = await conn.scalar(
            text(
                "SELECT count(*) FROM audit_log WHERE subject_hash IS NOT NULL AND user_id IS NULL"
            )
        )
    assert hashed >= 1  # the unknown name is audited as a keyed hash, not in clear


async def test_repeated_failures_lock_temporarily_whether_or_not_the_account_exists(
    world: World,
) -> None:
    for _ in range(5):
        assert (await world.sign_in(password="wrong password here")).status_code == 401
    locked = await world.sign_in()  # even the right password waits now
    body = assert_problem(locked, 429, "too-many-attempts")
    assert "minute" in body["detail"]
    assert int(locked.headers["retry-after"]) > 0
    async with world.service.engine.connect() as conn:
        locked_rows = await conn.scalar(
            text(
                "SELECT count(*) FROM audit_log WHERE event = 'sign_in.password' "
                "AND outcome = 'locked'"
            )
        )
    assert locked_rows >= 1
    for _ in range(6):
        ghost = await world.client.post(
            "/api/v1/auth/sign-in", json={"email": "ghost@nowhere.test", "password": "x" * 12}
        )
    assert_problem(ghost, 429, "too-many-attempts")
    world.clock.advance(timedelta(minutes=2))
    assert (await world.sign_in()).status_code == 200


async def test_a_code_works_once(world: World) -> None:
    code = world.code()
    assert (await world.sign_in(code=code)).status_code == 200
    replay = await world.sign_in(code=code)
    assert_problem(replay, 401, "invalid-credentials")
    assert ("sign_in.second_factor", "failure") in await audit_events(world)


async def test_a_recovery_code_works_once(world: World) -> None:
    recovery = world.user.recovery_codes[0]
    first = await world.client.post(
        "/api/v1/auth/sign-in", json={"email": world.user.email, "password": PASSWORD}
    )
    second = await world.client.post(
        "/api/v1/auth/sign-in/second-factor",
        json={"challenge": first.json()["challenge"], "recovery_code": recovery.lower()},
    )
    assert second.status_code == 200, second.text
    again = await world.client.post(
        "/api/v1/auth/sign-in/second-factor",
        json={"challenge": first.json()["challenge"], "recovery_code": recovery},
    )
    assert_problem(again, 401, "invalid-credentials")


async def test_refresh_rotates_and_reuse_revokes_the_family(world: World) -> None:
    tokens = (await world.sign_in()).json()
    rotated = await world.client.post(
        "/api/v1/auth/token", json={"refresh_token": tokens["refresh_token"]}
    )
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refresh_token"] != tokens["refresh_token"]
    assert rotated.json()["session_id"] == tokens["session_id"]

    reuse = await world.client.post(
        "/api/v1/auth/token", json={"refresh_token": tokens["refresh_token"]}
    )
    assert_problem(reuse, 401, "invalid-token")
    # the thief's use of the old token also kills the legitimate newer one
    newer = await world.client.post(
        "/api/v1/auth/token", json={"refresh_token": rotated.json()["refresh_token"]}
    )
    assert_problem(newer, 401, "invalid-token")
    assert await world.session_state(tokens["session_id"]) == {"active": False}
    assert ("token.refresh_reuse", "revoked") in await audit_events(world)


async def test_idle_and_absolute_timeouts(world: World) -> None:
    tokens = (await world.sign_in()).json()
    world.clock.advance(timedelta(minutes=31))
    idle = await world.client.post(
        "/api/v1/auth/token", json={"refresh_token": tokens["refresh_token"]}
    )
    assert_problem(idle, 401, "invalid-token")

    world.clock.advance(timedelta(seconds=60))
    tokens = (await world.sign_in()).json()
    refresh = tokens["refresh_token"]
    for _ in range(25):  # active all day, refreshing every 29 minutes
        world.clock.advance(timedelta(minutes=29))
        response = await world.client.post("/api/v1/auth/token", json={"refresh_token": refresh})
        if response.status_code != 200:
            break
        refresh = response.json()["refresh_token"]
    assert_problem(response, 401, "invalid-token")
    assert world.clock.now - datetime.fromisoformat(tokens["refresh_expires_at"]) < timedelta(
        hours=13
    )


async def test_a_session_in_use_moves_its_last_seen(world: World) -> None:
    tokens = (await world.sign_in()).json()
    auth = {"authorization": f"Bearer {tokens['access_token']}"}

    async def last_seen() -> datetime:
        listed = (await world.client.get("/api/v1/auth/sessions", headers=auth)).json()
        [mine] = [s for s in listed if s["id"] == tokens["session_id"]]
        return datetime.fromisoformat(mine["last_seen_at"])

    signed_in = await last_seen()
    world.clock.advance(timedelta(seconds=40))
    assert await world.session_state(tokens["session_id"]) == {"active": True}
    assert await last_seen() == signed_in  # within the minute: no write

    world.clock.advance(timedelta(seconds=40))
    assert await world.session_state(tokens["session_id"]) == {"active": True}
    assert await last_seen() == world.clock.now

    world.clock.advance(timedelta(minutes=29))  # idle counts from the last use, not sign-in
    assert await world.session_state(tokens["session_id"]) == {"active": True}
    world.clock.advance(timedelta(minutes=31))
    assert await world.session_state(tokens["session_id"]) == {"active": False}


async def test_sign_out_and_sessions(world: World) -> None:
    laptop = (await world.sign_in(ip="10.0.0.1")).json()
    phone = (await world.sign_in(ip="10.0.0.2")).json()
    auth = {"authorization": f"Bearer {laptop['access_token']}"}
    listed = (await world.client.get("/api/v1/auth/sessions", headers=auth)).json()
    assert {s["id"] for s in listed} >= {laptop["session_id"], phone["session_id"]}
    assert [s["current"] for s in listed if s["id"] == laptop["session_id"]] == [True]

    ended = await world.client.delete(f"/api/v1/auth/sessions/{phone['session_id']}", headers=auth)
    assert ended.status_code == 204
    assert await world.session_state(phone["session_id"]) == {"active": False}
    missing = await world.client.delete(f"/api/v1/auth/sessions/{uuid.uuid4()}", headers=auth)
    assert_problem(missing, 404)

    assert (await world.client.post("/api/v1/auth/sign-out", headers=auth)).status_code == 204
    refresh = await world.client.post(
        "/api/v1/auth/token", json={"refresh_token": laptop["refresh_token"]}
    )
    assert_problem(refresh, 401, "invalid-token")


async def test_sign_out_everywhere(world: World) -> None:
    sessions = [(await world.sign_in(ip=f"10.0.1.{i}")).json() for i in range(3)]
    auth = {"authorization": f"Bearer {sessions[0]['access_token']}"}
    response = await world.client.post("/api/v1/auth/sign-out-everywhere", headers=auth)
    assert response.status_code == 204
    for s in sessions:
        assert await world.session_state(s["session_id"]) == {"active": False}


async def test_a_signed_out_access_token_is_refused_by_the_identity_api_itself(
    world: World,
) -> None:
    tokens = (await world.sign_in()).json()
    auth = {"authorization": f"Bearer {tokens['access_token']}"}
    assert (await world.client.get("/api/v1/auth/sessions", headers=auth)).status_code == 200
    assert await world.session_state(tokens["session_id"]) == {"active": True}
    assert (await world.client.post("/api/v1/auth/sign-out", headers=auth)).status_code == 204
    # the token itself is still well signed and unexpired: only its session has ended
    assert_problem(await world.client.get("/api/v1/auth/sessions", headers=auth), 401)
    assert_problem(await world.client.get("/api/v1/auth/me", headers=auth), 401)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer nothing",
        f"InfoCenter-Service gateway:{'x' * 43}",  # wrong secret
        f"InfoCenter-Service cases:{GATEWAY.secret}",  # another name
        f"InfoCenter-Service {GATEWAY.name}:",
        f"InfoCenter-Service {GATEWAY.name}",
        f"infocenter-service {GATEWAY.name}:{GATEWAY.secret}x",
    ],
    # fixed names: the secrets differ per process (pytest-xdist workers collect the same ids)
    ids=[
        "none",
        "bearer-nothing",
        "wrong-secret",
        "another-service",
        "empty-secret",
        "no-secret",
        "lowercase-scheme-wrong-secret",
    ],
)
async def test_the_internal_session_endpoint_answers_only_an_authenticated_service(
    world: World, authorization: str | None
) -> None:
    tokens = (await world.sign_in()).json()
    headers = {"authorization": authorization} if authorization else {}
    refused = await world.client.get(
        f"/internal/v1/sessions/{tokens['session_id']}", headers=headers
    )
    assert_problem(refused, 401, "unauthorized")
    assert "active" not in refused.text
    assert await world.session_state(tokens["session_id"]) == {"active": True}


async def test_session_endpoints_need_a_valid_token(world: World) -> None:
    assert_problem(await world.client.get("/api/v1/auth/sessions"), 401, "unauthorized")
    bad = {"authorization": "Bearer not-a-token"}
    response = await world.client.get("/api/v1/auth/sessions", headers=bad)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_audit_log_cannot_be_rewritten(world: World) -> None:
    await world.sign_in()
    with pytest.raises(Exception, match="append-only"):
        async with world.service.engine.begin() as conn:
            await conn.execute(text("UPDATE audit_log SET outcome = 'success'"))
    with pytest.raises(Exception, match="append-only"):
        async with world.service.engine.begin() as conn:
            await conn.execute(text("DELETE FROM audit_log"))


async def test_bad_input_is_a_problem_not_a_crash(world: World) -> None:
    response = await world.client.post(
        "/api/v1/auth/sign-in/second-factor", json={"challenge": "x" * 20}
    )
    assert_problem(response, 422, "validation-error")
    forged = await world.client.post(
        "/api/v1/auth/sign-in/second-factor", json={"challenge": "x" * 40, "code": "123456"}
    )
    assert_problem(forged, 401, "invalid-token")


async def test_a_nul_character_in_the_email_is_a_problem_not_a_crash(world: World) -> None:
    """PostgreSQL text holds no U+0000: the lookup failed (a 500, found by API fuzzing)."""
    response = await world.client.post(
        "/api/v1/auth/sign-in", json={"email": "kari\x00@nordlys.no", "password": "x"}
    )
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == ["email"]
