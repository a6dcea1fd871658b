from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from gateway.gatekeeper import AuthUnavailable, Gatekeeper, SessionStates, Unauthenticated
from gateway.settings import GatewaySettings
from servicekit.roles import Roles
from servicekit.testing.tokens import AUDIENCE, ISSUER, TestSigner

pytestmark = pytest.mark.unit

AUTH = "http://auth.internal:8001"
SECRET = "s" * 43


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Identity:
    """The identity service's two endpoints the gateway asks, in memory."""

    def __init__(self, signer: TestSigner) -> None:
        self.signer = signer
        self.revoked: set[str] = set()
        self.asked: list[str] = []
        self.jwks_fetches = 0
        self.broken: Callable[[httpx.Request], httpx.Response] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.broken is not None:
            return self.broken(request)
        path = request.url.path
        if path == "/api/v1/auth/.well-known/jwks.json":
            self.jwks_fetches += 1
            return httpx.Response(200, json=self.signer.jwks)
        if path.startswith("/internal/v1/sessions/"):
            if request.headers.get("authorization") != f"InfoCenter-Service gateway:{SECRET}":
                return httpx.Response(401)
            session = path.rsplit("/", 1)[1]
            self.asked.append(session)
            return httpx.Response(200, json={"active": session not in self.revoked})
        return httpx.Response(404)


def settings(**changes: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "auth_url": AUTH,
        "token_issuer": ISSUER,
        "token_audience": AUDIENCE,
        "session_cache_seconds": 10.0,
        "revoked_session_cache_seconds": 300.0,
        "internal_secret": SECRET,
        **changes,
    }
    return GatewaySettings(**values)


def states(identity: Identity, clock: Clock, **changes: Any) -> SessionStates:
    client = httpx.AsyncClient(transport=httpx.MockTransport(identity))
    return SessionStates(client, settings(**changes), clock=clock)


async def test_an_active_answer_is_reused_for_the_ttl() -> None:
    identity, clock = Identity(TestSigner()), Clock()
    sessions = states(identity, clock)
    session = uuid.uuid4()

    assert await sessions.active(session)
    identity.revoked.add(str(session))
    clock.now += 9.9
    assert await sessions.active(session), "still cached"
    clock.now += 0.2
    assert not await sessions.active(session)
    assert identity.asked == [str(session)] * 2


async def test_a_revoked_answer_is_kept_longer() -> None:
    identity, clock = Identity(TestSigner()), Clock()
    sessions = states(identity, clock)
    session = uuid.uuid4()
    identity.revoked.add(str(session))

    assert not await sessions.active(session)
    clock.now += 299
    assert not await sessions.active(session)

    assert len(identity.asked) == 1


async def test_a_ttl_of_zero_asks_every_time() -> None:
    identity, clock = Identity(TestSigner()), Clock()
    sessions = states(identity, clock, session_cache_seconds=0.0)
    session = uuid.uuid4()

    for _ in range(3):
        assert await sessions.active(session)

    assert len(identity.asked) == 3


async def test_requests_that_arrive_together_share_one_question() -> None:
    identity, clock = Identity(TestSigner()), Clock()
    sessions = states(identity, clock)
    session = uuid.uuid4()

    answers = await asyncio.gather(*(sessions.active(session) for _ in range(10)))

    assert answers == [True] * 10
    assert len(identity.asked) == 1


async def test_the_cache_is_bounded() -> None:
    identity, clock = Identity(TestSigner()), Clock()
    sessions = states(identity, clock, session_cache_max_entries=2)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    for session in (first, second, third, first):
        await sessions.active(session)

    assert identity.asked == [str(s) for s in (first, second, third, first)]


async def test_a_session_signed_out_here_is_ended_at_once() -> None:
    identity, clock = Identity(TestSigner()), Clock()
    sessions = states(identity, clock)
    session = uuid.uuid4()
    assert await sessions.active(session)

    sessions.ended(session)

    assert not await sessions.active(session)
    assert len(identity.asked) == 1


async def test_an_unknown_session_is_not_active() -> None:
    identity, clock = Identity(TestSigner()), Clock()
    identity.broken = lambda request: httpx.Response(404)

    assert not await states(identity, clock).active(uuid.uuid4())


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500),
        httpx.Response(503),
        httpx.Response(401),
        httpx.Response(200, text="<html>"),
        httpx.Response(200, json={"active": "yes"}),
        httpx.Response(200, json=[True]),
    ],
)
async def test_no_usable_answer_fails_closed_and_is_not_cached(answer: httpx.Response) -> None:
    identity, clock = Identity(TestSigner()), Clock()
    identity.broken = lambda request: answer
    sessions = states(identity, clock)
    session = uuid.uuid4()

    with pytest.raises(AuthUnavailable):
        await sessions.active(session)
    identity.broken = None
    assert await sessions.active(session)


async def test_an_unreachable_identity_service_fails_closed() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    identity, clock = Identity(TestSigner()), Clock()
    identity.broken = refuse

    with pytest.raises(AuthUnavailable):
        await states(identity, clock).active(uuid.uuid4())


def gatekeeper(identity: Identity, clock: Clock | None = None, **changes: Any) -> Gatekeeper:
    client = httpx.AsyncClient(transport=httpx.MockTransport(identity))
    return Gatekeeper(settings(**changes), client, clock=clock or Clock())


def token(signer: TestSigner, **claims: Any) -> str:
    return signer.mint(organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR], **claims)


async def test_a_good_token_of_a_live_session_is_admitted() -> None:
    signer = TestSigner()
    identity = Identity(signer)
    session = uuid.uuid4()

    principal = await gatekeeper(identity).admit(token(signer, session_id=session))

    assert principal.session_id == session
    assert identity.jwks_fetches == 1
    assert identity.asked == [str(session)]


async def test_a_token_of_an_ended_session_is_not() -> None:
    signer = TestSigner()
    identity = Identity(signer)
    session = uuid.uuid4()
    identity.revoked.add(str(session))

    with pytest.raises(Unauthenticated, match="session ended"):
        await gatekeeper(identity).admit(token(signer, session_id=session))


async def test_a_token_without_a_session_is_not() -> None:
    signer = TestSigner()
    identity = Identity(signer)

    with pytest.raises(Unauthenticated, match="no session"):
        await gatekeeper(identity).admit(token(signer, sid=None))
    assert identity.asked == []


async def test_an_invalid_token_is_refused_before_the_session_is_asked() -> None:
    signer = TestSigner()
    identity = Identity(signer)

    with pytest.raises(Unauthenticated):
        await gatekeeper(identity).admit(token(TestSigner(kid=signer.kid)))
    assert identity.asked == []


async def test_unknown_key_ids_do_not_make_the_gateway_fetch_the_keys_each_time() -> None:
    signer = TestSigner()
    identity = Identity(signer)
    keeper = gatekeeper(identity)
    await keeper.admit(token(signer))

    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await keeper.admit(token(TestSigner()))

    assert identity.jwks_fetches == 1


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(500), httpx.Response(200, text="nope"), httpx.Response(200, json={"k": 1})],
)
async def test_when_the_keys_cannot_be_had_it_fails_closed(answer: httpx.Response) -> None:
    signer = TestSigner()
    identity = Identity(signer)
    identity.broken = lambda request: answer

    with pytest.raises(AuthUnavailable):
        await gatekeeper(identity).admit(token(signer))


async def test_after_a_failed_key_fetch_the_next_requests_fail_at_once_for_a_moment() -> None:
    signer, clock = TestSigner(), Clock()
    identity = Identity(signer)
    calls: list[str] = []

    def down(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503)

    identity.broken = down
    keeper = gatekeeper(identity, clock)
    for _ in range(3):
        with pytest.raises(AuthUnavailable):
            await keeper.admit(token(signer))
    assert len(calls) == 1

    identity.broken = None
    clock.now += 1.0
    assert await keeper.admit(token(signer))


async def test_the_session_question_is_asked_as_the_gateway_or_not_answered() -> None:
    identity, clock = Identity(TestSigner()), Clock()
    session = uuid.uuid4()
    assert await states(identity, clock).active(session)
    anonymous = states(identity, clock, internal_secret=None)
    with pytest.raises(AuthUnavailable):  # the endpoint refuses: fail closed
        await anonymous.active(session)
