"""Access tokens at the gateway: verified, session checked, before anything is forwarded."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from servicekit.testing.http import assert_problem
from servicekit.testing.tokens import AUDIENCE, ISSUER, TestSigner
from servicekit.testing.wait import wait_for

from .support import GatewayFactory, IdentityState, RunningServer, Upstreams, identity_app, mint

pytestmark = pytest.mark.integration


def identity(upstreams: Upstreams) -> IdentityState:
    state: IdentityState = upstreams.apps["auth"].state.identity
    return state


def echo_path() -> str:
    """A path no other test uses, to tell whether the service was called."""
    return f"/api/v1/cases/echo/{uuid.uuid4().hex}"


def was_called(upstreams: Upstreams, path: str) -> bool:
    return any(p == path for _, p in upstreams.apps["cases"].state.echoed)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned(signer: TestSigner) -> str:
    """``alg: none``, built by hand (no library would make one)."""
    now = int(time.time())
    header = {"alg": "none", "typ": "at+jwt", "kid": signer.kid}
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid.uuid4()),
        "org": str(uuid.uuid4()),
        "roles": ["creditor"],
        "sid": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 300,
    }
    return f"{b64(header)}.{b64(claims)}."


@pytest.fixture(scope="module")
async def anonymous(start_gateway: GatewayFactory) -> httpx.AsyncClient:
    """A gateway client that sends no token of its own."""
    return await start_gateway(signed_in=False)


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_without_a_token_the_answer_is_401_and_nothing_is_forwarded(
    anonymous: httpx.AsyncClient, upstreams: Upstreams, method: str
) -> None:
    path = echo_path()

    response = await anonymous.request(method, path, json={"a": 1} if method == "POST" else None)

    body = assert_problem(response, 401, "unauthorized")
    assert body["instance"] == path
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "error=" not in response.headers["www-authenticate"]
    assert not was_called(upstreams, path)


async def test_an_authorization_that_is_not_a_bearer_token_is_401(
    anonymous: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    path = echo_path()

    response = await anonymous.get(path, headers={"Authorization": "Basic dXNlcjpwdw=="})

    assert_problem(response, 401, "unauthorized")
    assert not was_called(upstreams, path)


async def test_a_valid_token_is_forwarded_with_the_request(
    anonymous: httpx.AsyncClient, upstreams: Upstreams, signer: TestSigner
) -> None:
    token = mint(signer)
    path = echo_path()

    response = await anonymous.get(path, headers=bearer(token))

    assert response.status_code == 200, response.text
    seen = dict(response.json()["headers"])
    assert seen["authorization"] == f"Bearer {token}"
    assert was_called(upstreams, path)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda s: mint(s, ttl=-120), id="expired"),
        pytest.param(lambda s: mint(TestSigner(kid=s.kid)), id="forged"),
        pytest.param(unsigned, id="alg-none"),
        pytest.param(lambda s: mint(s, aud="another-audience"), id="wrong-audience"),
        pytest.param(lambda s: mint(s, iss="https://evil.example"), id="wrong-issuer"),
        pytest.param(lambda s: mint(s, sid=None), id="no-session"),
        pytest.param(lambda s: mint(s, headers={"typ": "JWT"}), id="not-an-access-token"),
        pytest.param(lambda s: mint(TestSigner()), id="unknown-key"),
        pytest.param(lambda s: "not.a.token", id="garbage"),
    ],
)
async def test_a_bad_token_is_401_and_nothing_is_forwarded(
    anonymous: httpx.AsyncClient, upstreams: Upstreams, signer: TestSigner, make: Any
) -> None:
    path = echo_path()

    response = await anonymous.post(path, json={}, headers=bearer(make(signer)))

    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert not was_called(upstreams, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/auth/sign-in"),
        ("POST", "/api/v1/auth/sign-in/second-factor"),
        ("GET", "/api/v1/auth/.well-known/jwks.json"),
    ],
)
async def test_the_public_operations_need_no_token(
    anonymous: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await anonymous.request(method, path, json={} if method == "POST" else None)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/auth/sign-in"),  # a public path, another method
        ("POST", "/api/v1/auth/sign%2Din"),  # the public path, encoded
        ("POST", "/api/v1/auth/sign-in/"),
        ("POST", "/api/v1/auth/sign-out"),
        ("GET", "/api/v1/auth/sessions"),
    ],
)
async def test_anything_else_under_auth_needs_a_token(
    anonymous: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await anonymous.request(method, path)

    assert_problem(response, 401, "unauthorized")


async def test_a_revoked_session_is_refused_within_the_cache_ttl(
    start_gateway: GatewayFactory, upstreams: Upstreams, signer: TestSigner
) -> None:
    gateway = await start_gateway(signed_in=False, session_cache_seconds=0.3)
    session = uuid.uuid4()
    headers = bearer(mint(signer, session))
    assert (await gateway.get(echo_path(), headers=headers)).status_code == 200

    identity(upstreams).revoked.add(session)

    async def refused() -> httpx.Response | None:
        response = await gateway.get(echo_path(), headers=headers)
        return response if response.status_code == 401 else None

    response = await wait_for(refused, what="the revoked session refused", seconds=5)
    body = assert_problem(response, 401, "unauthorized")
    assert "session" in body["detail"]
    # Another session of the same signer still works.
    assert (await gateway.get(echo_path(), headers=bearer(mint(signer)))).status_code == 200


async def test_a_sessions_state_is_asked_once_per_ttl(
    start_gateway: GatewayFactory, upstreams: Upstreams, signer: TestSigner
) -> None:
    gateway = await start_gateway(signed_in=False, session_cache_seconds=60)
    session = uuid.uuid4()
    headers = bearer(mint(signer, session))

    statuses = [(await gateway.get(echo_path(), headers=headers)).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert identity(upstreams).session_checks.count(session) == 1


@pytest.fixture
async def broken_identity(signer: TestSigner) -> AsyncIterator[tuple[FastAPI, RunningServer]]:
    """An identity stand-in of its own, free to be broken."""
    app = identity_app(signer)
    server = await RunningServer(app).start()
    yield app, server
    await server.stop()


async def test_when_the_session_state_cannot_be_had_the_answer_is_503(
    start_gateway: GatewayFactory,
    upstreams: Upstreams,
    signer: TestSigner,
    refused_url: str,
) -> None:
    # The keys can be fetched, the internal session endpoint cannot be reached.
    gateway = await start_gateway(
        signed_in=False,
        auth_url=refused_url,
        jwks_url=upstreams.servers["auth"].url + "/api/v1/auth/.well-known/jwks.json",
    )
    path = echo_path()

    response = await gateway.get(path, headers=bearer(mint(signer)))

    body = assert_problem(response, 503, "service-unavailable")
    assert response.headers["retry-after"] == "5"
    assert "127.0.0.1" not in body["detail"]
    assert not was_called(upstreams, path)


async def test_a_broken_session_endpoint_fails_closed(
    start_gateway: GatewayFactory,
    upstreams: Upstreams,
    signer: TestSigner,
    broken_identity: tuple[FastAPI, RunningServer],
) -> None:
    app, server = broken_identity
    app.state.identity.session_state_status = 500
    gateway = await start_gateway(signed_in=False, auth_url=server.url)
    path = echo_path()

    response = await gateway.get(path, headers=bearer(mint(signer)))

    assert_problem(response, 503, "service-unavailable")
    assert not was_called(upstreams, path)


async def test_when_the_signing_keys_cannot_be_had_the_answer_is_503(
    start_gateway: GatewayFactory, upstreams: Upstreams, signer: TestSigner, refused_url: str
) -> None:
    gateway = await start_gateway(signed_in=False, auth_url=refused_url)
    path = echo_path()

    response = await gateway.get(path, headers=bearer(mint(signer)))

    assert_problem(response, 503, "service-unavailable")
    assert not was_called(upstreams, path)
    # Without a token it is still a plain 401: nothing needed asking.
    assert_problem(await gateway.get(path), 401, "unauthorized")


async def test_the_credential_operations_have_a_stricter_rate_limit(
    start_gateway: GatewayFactory,
) -> None:
    gateway = await start_gateway(auth_rate_limit_burst=2, auth_rate_limit_per_minute=1.0)

    allowed = [await gateway.post("/api/v1/auth/sign-in", json={}) for _ in range(2)]
    limited = await gateway.post("/api/v1/auth/sign-in", json={})
    also_limited = await gateway.post("/api/v1/auth/token", json={"refresh_token": "x" * 12})

    assert [r.status_code for r in allowed] == [200, 200]
    body = assert_problem(limited, 429, "rate-limited")
    assert body["instance"] == "/api/v1/auth/sign-in"
    assert int(limited.headers["retry-after"]) >= 1
    assert_problem(also_limited, 429, "rate-limited")
    # The rest of the API only has the general bucket.
    assert (await gateway.get(echo_path())).status_code == 200
    assert (await gateway.get("/api/v1/auth/.well-known/jwks.json")).status_code == 200


async def _raw_get(client: httpx.AsyncClient, path: str, headers: bytes) -> tuple[int, bytes]:
    """A request written by hand: httpx itself refuses to send some of these headers."""
    reader, writer = await asyncio.open_connection(client.base_url.host, client.base_url.port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n".encode()
        + headers
        + b"\r\n"
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        chunks, rest = [], body
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            length = int(size, 16)
            chunks.append(rest[:length])
            rest = rest[length + 2 :] if length else b""
        body = b"".join(chunks)
    return int(head.split(b" ", 2)[1]), body


async def test_header_values_the_upstream_cannot_be_sent_are_handled(
    anonymous: httpx.AsyncClient, upstreams: Upstreams, signer: TestSigner
) -> None:
    auth = f"Authorization: Bearer {mint(signer)}\r\n".encode()
    # ISO-8859-1 bytes that are not ASCII go on as they came; the service decides
    status, body = await _raw_get(anonymous, echo_path(), auth + b"Idempotency-Key: n\xf8kkel\r\n")
    assert status == 200, body
    assert ["idempotency-key", "nøkkel"] in json.loads(body)["headers"]
    # whitespace around a value is not part of it: dropped, not a 502
    status, body = await _raw_get(anonymous, echo_path(), auth + b"Idempotency-Key:  a \t\r\n")
    assert status == 200, body
    assert ["idempotency-key", "a"] in json.loads(body)["headers"]
    # a control character never reaches the service
    status, body = await _raw_get(anonymous, echo_path(), auth + b"Idempotency-Key: a\x7fb\r\n")
    assert status == 400, body
