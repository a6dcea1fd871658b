"""A signed-out access token is refused by every service: the session check in servicekit.

Every service's token verification (built by :class:`servicekit.service.Service`) asks the
identity service whether the token's session still lives, authenticated as itself, caches
the answer briefly, and fails closed (503) when nobody can answer.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid

import httpx
import pytest
from fastapi import APIRouter
from servicekit.auth import CurrentPrincipal
from servicekit.inbox import inbox_table
from servicekit.internal import InternalCaller, InternalCallers, ServiceCredential
from servicekit.outbox import outbox_table
from servicekit.service import Service
from servicekit.sessions import (
    IdentityServiceSessions,
    SessionStates,
    SessionStateUnavailable,
)
from servicekit.settings import ServiceSettings
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.identity import SessionDirectory
from servicekit.testing.tokens import TestSigner
from servicekit.tokens import InvalidToken, Roles
from sqlalchemy import MetaData

pytestmark = pytest.mark.unit

ORG = uuid.uuid4()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_an_active_answer_is_reused_for_its_ttl_then_asked_again() -> None:
    directory, clock, sid = SessionDirectory(), Clock(), uuid.uuid4()
    states = SessionStates(directory.source(), active_ttl=5.0, ended_ttl=300.0, clock=clock)
    assert await states.active(sid)
    directory.end(sid)
    assert await states.active(sid)  # within the TTL: the cached answer
    assert directory.questions == 1
    clock.now += 5.1
    assert not await states.active(sid)
    clock.now += 299
    assert not await states.active(sid)  # an ended session is remembered, never re-asked
    assert directory.questions == 2


async def test_concurrent_requests_for_one_session_share_one_question() -> None:
    directory, sid = SessionDirectory(), uuid.uuid4()
    states = SessionStates(directory.source(), active_ttl=5.0)
    assert all(await asyncio.gather(*(states.active(sid) for _ in range(20))))
    assert directory.questions == 1


async def test_no_answer_is_unavailable_and_not_remembered() -> None:
    directory, sid = SessionDirectory(available=False), uuid.uuid4()
    states = directory.states(active_ttl=5.0)
    with pytest.raises(SessionStateUnavailable):
        await states.active(sid)
    directory.available = True
    assert await states.active(sid)


@pytest.mark.parametrize(
    "credential",
    [None, ServiceCredential("test-service", "w" * 40), ServiceCredential("other", "w" * 40)],
    ids=["none", "wrong-secret", "unknown-service"],
)
async def test_without_a_good_service_credential_nothing_is_known(
    credential: ServiceCredential | None,
) -> None:
    directory = SessionDirectory()
    source = directory.source()
    source.credential = credential
    with pytest.raises(SessionStateUnavailable):
        await source(uuid.uuid4())


async def test_an_unreachable_identity_service_is_unavailable() -> None:
    source = IdentityServiceSessions(
        "http://127.0.0.1:9", ServiceCredential("cases", "s" * 40), timeout=0.5
    )
    with pytest.raises(SessionStateUnavailable):
        await source(uuid.uuid4())
    await source.aclose()


async def test_the_verifier_refuses_a_token_whose_session_has_ended() -> None:
    signer, directory, sid = TestSigner(), SessionDirectory(), uuid.uuid4()
    verifier = signer.verifier(directory.states())
    token = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR], session_id=sid)
    assert (await verifier.verify(token)).session_id == sid
    directory.end(sid)
    with pytest.raises(InvalidToken, match="session ended"):
        await verifier.verify(token)


async def test_the_verifier_refuses_a_token_without_a_session() -> None:
    signer, directory = TestSigner(), SessionDirectory()
    token = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR], sid=None)
    with pytest.raises(InvalidToken):
        await signer.verifier(directory.states()).verify(token)


def _internal_credential_pair() -> tuple[ServiceCredential, InternalCallers]:
    credential = ServiceCredential("gateway", secrets.token_urlsafe(32))
    return credential, InternalCallers({"gateway": credential.secret})


def test_internal_callers_know_only_the_exact_credential() -> None:
    credential, callers = _internal_credential_pair()
    assert callers.caller(credential.headers()["Authorization"]) == "gateway"
    assert callers.caller(None) is None
    assert callers.caller(f"Bearer {credential.secret}") is None
    assert callers.caller(f"InfoCenter-Service gateway:{credential.secret[:-1]}") is None
    assert callers.caller(f"InfoCenter-Service cases:{credential.secret}") is None
    assert InternalCallers({}).caller(credential.headers()["Authorization"]) is None


def test_a_short_internal_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        ServiceCredential("cases", "short")


def test_production_needs_an_internal_secret() -> None:
    with pytest.raises(ValueError, match="internal_secret"):
        ServiceSettings(
            service_name="x", database_url="postgresql+asyncpg://x/x", environment="production"
        )


# -- by construction: every service's API ------------------------------------------------


def _service(directory: SessionDirectory, **settings: object) -> Service:
    service = Service(
        ServiceSettings(
            service_name="test-service",
            database_url="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
            internal_secret=directory.secret,
            **settings,  # type: ignore[arg-type]
        ),
        outbox=outbox_table(MetaData()),
        inbox=inbox_table(MetaData()),
    )
    assert service.token_verifier.sessions is not None  # every service checks sessions
    return service


def _app_with_a_protected_route(service: Service, directory: SessionDirectory) -> httpx.AsyncClient:
    router = APIRouter()

    @router.get("/api/v1/things")
    async def things(principal: CurrentPrincipal) -> dict[str, str]:
        return {"user": str(principal.user_id)}

    # the service's own HTTP session source, pointed at the stand-in identity service
    service.session_source.auth_url = "http://auth.test"
    service.session_source.transport = httpx.ASGITransport(
        app=directory.app(), raise_app_exceptions=False
    )
    app = service.create_app(title="t", description="t", routers=[router], observe=False)
    return asgi_client(app)


async def test_every_service_refuses_a_signed_out_token_at_its_api() -> None:
    signer, directory, sid = TestSigner(), SessionDirectory(), uuid.uuid4()
    service = _service(directory, session_cache_seconds=0)
    service.token_verifier = signer.verifier(service.token_verifier.sessions)
    token = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR], session_id=sid)
    headers = {"Authorization": f"Bearer {token}"}
    async with _app_with_a_protected_route(service, directory) as client:
        assert (await client.get("/api/v1/things", headers=headers)).status_code == 200
        directory.end(sid)
        assert_problem(await client.get("/api/v1/things", headers=headers), 401, "unauthorized")
        directory.available = False
        other = signer.mint(organisation_id=ORG, roles=[Roles.CREDITOR])
        unavailable = await client.get(
            "/api/v1/things", headers={"Authorization": f"Bearer {other}"}
        )
        assert_problem(unavailable, 503, "unavailable")
        assert unavailable.headers["retry-after"] == "5"
    await service.close()


async def test_metrics_answer_only_the_scraper_holding_the_token() -> None:
    directory = SessionDirectory()
    token = secrets.token_urlsafe(24)
    service = _service(directory, metrics_token=token)
    async with _app_with_a_protected_route(service, directory) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert scraped.status_code == 200
        assert "http_requests_total" in scraped.text
        assert (await client.get("/health/live")).status_code == 200  # health stays public
    await service.close()


async def test_metrics_without_a_configured_token_answer_nobody() -> None:
    directory = SessionDirectory()
    service = _service(directory)
    async with _app_with_a_protected_route(service, directory) as client:
        assert (
            await client.get("/metrics", headers={"Authorization": "Bearer "})
        ).status_code == 401
    await service.close()


async def test_no_internal_endpoint_answers_unless_callers_are_configured() -> None:
    directory = SessionDirectory()
    service = _service(directory)
    router = APIRouter()

    @router.get("/internal/v1/anything")
    async def anything(caller: InternalCaller) -> dict[str, str]:
        return {"caller": caller}

    app = service.create_app(title="t", description="t", routers=[router], observe=False)
    async with asgi_client(app) as client:
        credential = ServiceCredential("gateway", secrets.token_urlsafe(32))
        assert_problem(await client.get("/internal/v1/anything"), 401)
        assert_problem(await client.get("/internal/v1/anything", headers=credential.headers()), 401)
    await service.close()


def test_internal_callers_come_from_the_environment_as_name_secret_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INTERNAL_CALLERS", "gateway:abc, cases:d-e_f")
    settings = ServiceSettings(service_name="x", database_url="postgresql+asyncpg://x/x")
    assert {n: s.get_secret_value() for n, s in settings.internal_callers.items()} == {
        "gateway": "abc",
        "cases": "d-e_f",
    }
    monkeypatch.setenv("INTERNAL_CALLERS", "gateway")
    with pytest.raises(ValueError, match="name:secret"):
        ServiceSettings(service_name="x", database_url="postgresql+asyncpg://x/x")
