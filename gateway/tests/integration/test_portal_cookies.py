"""The web portal's cookie mode: tokens in HttpOnly cookies, CSRF on every change.

Cookies are read from ``Set-Cookie`` and sent back by hand: the gateway runs on plain
http://127.0.0.1 here, where httpx's cookie jar (unlike a browser) keeps Secure cookies
to itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from servicekit.testing.http import assert_problem

from .support import ACCESS_TTL, REFRESH_TTL, GatewayFactory, IdentityState, Upstreams

pytestmark = pytest.mark.integration

AT, RT, CSRF = "__Host-ic_at", "__Host-ic_rt", "__Host-ic_csrf"
COOKIE_MODE = {"X-Token-Delivery": "cookie"}


@dataclass
class SetCookie:
    value: str
    attributes: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def set_cookies(response: httpx.Response) -> dict[str, SetCookie]:
    result: dict[str, SetCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        first, *rest = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        cookie = SetCookie(value)
        for part in rest:
            key, sep, attribute = part.partition("=")
            if sep:
                cookie.attributes[key.lower()] = attribute
            else:
                cookie.flags.add(key.lower())
        result[name] = cookie
    return result


def cookie_header(jar: dict[str, str], **extra: str) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in {**jar, **extra}.items())}


def identity(upstreams: Upstreams) -> IdentityState:
    state: IdentityState = upstreams.apps["auth"].state.identity
    return state


def echo_path() -> str:
    return f"/api/v1/ledger/echo/{uuid.uuid4().hex}"


def was_called(upstreams: Upstreams, path: str) -> bool:
    return any(p == path for _, p in upstreams.apps["ledger"].state.echoed)


@pytest.fixture(scope="module")
async def portal(start_gateway: GatewayFactory) -> httpx.AsyncClient:
    """A gateway client like a browser: no Authorization header, only cookies."""
    return await start_gateway(signed_in=False)


async def sign_in(portal: httpx.AsyncClient) -> tuple[httpx.Response, dict[str, str]]:
    challenge = (await portal.post("/api/v1/auth/sign-in", json={})).json()["challenge"]
    response = await portal.post(
        "/api/v1/auth/sign-in/second-factor",
        json={"challenge": challenge, "code": "123456"},
        headers=COOKIE_MODE,
    )
    assert response.status_code == 200, response.text
    return response, {name: c.value for name, c in set_cookies(response).items()}


async def test_signing_in_in_cookie_mode_sets_three_cookies_and_no_tokens_in_the_body(
    portal: httpx.AsyncClient,
) -> None:
    response, _ = await sign_in(portal)

    body = response.json()
    assert set(body) == {"expires_in", "refresh_expires_at", "session_id"}
    assert body["expires_in"] == ACCESS_TTL
    assert "eyJ" not in response.text, "no JWT in the body"
    assert response.headers["cache-control"] == "no-store"
    cookies = set_cookies(response)
    assert set(cookies) == {AT, RT, CSRF}
    for name, cookie in cookies.items():
        assert cookie.value, name
        assert cookie.attributes["path"] == "/", name
        assert cookie.attributes["samesite"] == "Strict", name
        assert "secure" in cookie.flags, name
        assert "domain" not in cookie.attributes, name
    assert "httponly" in cookies[AT].flags
    assert "httponly" in cookies[RT].flags
    assert "httponly" not in cookies[CSRF].flags
    assert cookies[AT].value.startswith("eyJ")
    assert cookies[RT].value.startswith("rt-")
    assert int(cookies[AT].attributes["max-age"]) == ACCESS_TTL
    refresh_age = int(REFRESH_TTL.total_seconds())
    assert refresh_age - 10 <= int(cookies[RT].attributes["max-age"]) <= refresh_age
    assert cookies[CSRF].attributes["max-age"] == cookies[RT].attributes["max-age"]
    expires = datetime.fromisoformat(body["refresh_expires_at"])
    assert expires > datetime.now(UTC)


async def test_without_cookie_mode_the_tokens_stay_in_the_body(portal: httpx.AsyncClient) -> None:
    response = await portal.post("/api/v1/auth/sign-in/second-factor", json={})

    assert response.status_code == 200
    assert {"access_token", "refresh_token"} <= set(response.json())
    assert not response.headers.get_list("set-cookie")


async def test_a_get_authenticated_by_cookie_reaches_the_service_as_a_bearer_token(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    _, jar = await sign_in(portal)

    response = await portal.get(echo_path(), headers=cookie_header(jar, theme="dark"))

    assert response.status_code == 200, response.text
    seen = dict(response.json()["headers"])
    assert seen["authorization"] == f"Bearer {jar[AT]}"
    assert seen["cookie"] == "theme=dark", "the portal's own cookies stay at the gateway"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-csrf-header"),
        pytest.param({"X-CSRF-Token": "guessed"}, id="wrong-csrf-header"),
        pytest.param({"X-CSRF-Token": "", "Origin": "null"}, id="empty-csrf-header"),
    ],
)
async def test_a_change_authenticated_by_cookie_needs_the_csrf_token(
    portal: httpx.AsyncClient, upstreams: Upstreams, headers: dict[str, str]
) -> None:
    _, jar = await sign_in(portal)
    path = echo_path()

    response = await portal.post(path, json={"a": 1}, headers={**cookie_header(jar), **headers})

    assert_problem(response, 403, "forbidden")
    assert not was_called(upstreams, path)


async def test_a_change_with_the_right_csrf_token_is_forwarded(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    _, jar = await sign_in(portal)
    path = echo_path()
    own_origin = str(portal.base_url).rstrip("/")

    response = await portal.post(
        path,
        json={"a": 1},
        headers={**cookie_header(jar), "X-CSRF-Token": jar[CSRF], "Origin": own_origin},
    )

    assert response.status_code == 200, response.text
    assert dict(response.json()["headers"])["authorization"] == f"Bearer {jar[AT]}"
    assert was_called(upstreams, path)


async def test_a_change_from_another_origin_is_refused_even_with_the_csrf_token(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    _, jar = await sign_in(portal)
    path = echo_path()

    response = await portal.delete(
        path,
        headers={
            **cookie_header(jar),
            "X-CSRF-Token": jar[CSRF],
            "Origin": "https://evil.example",
        },
    )

    body = assert_problem(response, 403, "forbidden")
    assert "origin" in body["detail"]
    assert not was_called(upstreams, path)


async def test_a_bearer_header_needs_no_csrf_token_and_wins_over_the_cookie(
    portal: httpx.AsyncClient, start_gateway: GatewayFactory
) -> None:
    _, jar = await sign_in(portal)
    signed_in = await start_gateway()  # its client sends a bearer token

    response = await signed_in.post(echo_path(), json={}, headers=cookie_header(jar))

    assert response.status_code == 200, response.text
    seen = dict(response.json()["headers"])
    assert seen["authorization"] == signed_in.headers["authorization"]


async def test_refreshing_takes_the_refresh_token_from_its_cookie(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    _, jar = await sign_in(portal)

    response = await portal.post(
        "/api/v1/auth/token",
        headers={**COOKIE_MODE, **cookie_header(jar), "X-CSRF-Token": jar[CSRF]},
    )

    assert response.status_code == 200, response.text
    assert identity(upstreams).token_requests[-1] == {"refresh_token": jar[RT]}
    assert set(response.json()) == {"expires_in", "refresh_expires_at", "session_id"}
    renewed = set_cookies(response)
    assert renewed[AT].value != jar[AT]
    assert renewed[RT].value != jar[RT]
    assert renewed[CSRF].value == jar[CSRF], "the page keeps its CSRF token"
    assert "httponly" in renewed[RT].flags


async def test_refreshing_by_cookie_needs_the_csrf_token(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    _, jar = await sign_in(portal)
    before = len(identity(upstreams).token_requests)

    response = await portal.post(
        "/api/v1/auth/token", headers={**COOKIE_MODE, **cookie_header(jar)}
    )

    assert_problem(response, 403, "forbidden")
    assert len(identity(upstreams).token_requests) == before


async def test_a_spent_refresh_token_clears_the_cookies(portal: httpx.AsyncClient) -> None:
    _, jar = await sign_in(portal)
    headers = {**COOKIE_MODE, **cookie_header(jar), "X-CSRF-Token": jar[CSRF]}
    assert (await portal.post("/api/v1/auth/token", headers=headers)).status_code == 200

    response = await portal.post("/api/v1/auth/token", headers=headers)  # the old one again

    assert response.status_code == 401
    cleared = set_cookies(response)
    assert set(cleared) == {AT, RT, CSRF}
    assert {c.attributes["max-age"] for c in cleared.values()} == {"0"}


async def test_refreshing_in_cookie_mode_with_no_refresh_token_at_all_is_401(
    portal: httpx.AsyncClient,
) -> None:
    response = await portal.post("/api/v1/auth/token", json={}, headers=COOKIE_MODE)

    assert_problem(response, 401, "unauthorized")


async def test_signing_out_clears_the_cookies_and_ends_the_session_at_once(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    response, jar = await sign_in(portal)
    session = uuid.UUID(response.json()["session_id"])
    assert (await portal.get(echo_path(), headers=cookie_header(jar))).status_code == 200

    signed_out = await portal.post(
        "/api/v1/auth/sign-out", headers={**cookie_header(jar), "X-CSRF-Token": jar[CSRF]}
    )

    assert signed_out.status_code == 204, signed_out.text
    assert session in identity(upstreams).signed_out
    cleared = set_cookies(signed_out)
    assert set(cleared) == {AT, RT, CSRF}
    for cookie in cleared.values():
        assert cookie.value == ""
        assert cookie.attributes["max-age"] == "0"
        assert cookie.attributes["path"] == "/"
        assert "secure" in cookie.flags
    # The gateway had "active" cached for this session; signing out through it ends that.
    after = await portal.get(echo_path(), headers=cookie_header(jar))
    assert_problem(after, 401, "unauthorized")


async def test_signing_out_everywhere_clears_the_cookies_too(portal: httpx.AsyncClient) -> None:
    _, jar = await sign_in(portal)

    response = await portal.post(
        "/api/v1/auth/sign-out-everywhere",
        headers={**cookie_header(jar), "X-CSRF-Token": jar[CSRF]},
    )

    assert response.status_code == 204
    assert set(set_cookies(response)) == {AT, RT, CSRF}


async def test_insecure_cookies_can_be_chosen_outside_production(
    start_gateway: GatewayFactory,
) -> None:
    gateway = await start_gateway(signed_in=False, cookie_secure=False)

    response, jar = await sign_in(gateway)

    cookies = set_cookies(response)
    assert set(cookies) == {"ic_at", "ic_rt", "ic_csrf"}
    assert all("secure" not in c.flags for c in cookies.values())
    authenticated = await gateway.get(echo_path(), headers=cookie_header(jar))
    assert authenticated.status_code == 200, authenticated.text


async def test_signing_out_of_a_session_that_has_ended_still_clears_the_cookies(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    response, jar = await sign_in(portal)
    identity(upstreams).revoked.add(uuid.UUID(response.json()["session_id"]))
    headers = {**cookie_header(jar), "X-CSRF-Token": jar[CSRF]}

    signed_out = await portal.post("/api/v1/auth/sign-out", headers=headers)

    assert_problem(signed_out, 401, "unauthorized")
    assert {c.attributes["max-age"] for c in set_cookies(signed_out).values()} == {"0"}
    assert set(set_cookies(signed_out)) == {AT, RT, CSRF}


async def test_a_refresh_token_in_the_body_needs_no_csrf_token(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    signed_in = (await portal.post("/api/v1/auth/sign-in/second-factor", json={})).json()

    response = await portal.post(
        "/api/v1/auth/token",
        json={"refresh_token": signed_in["refresh_token"]},
        headers=COOKIE_MODE,
    )

    assert response.status_code == 200, response.text
    assert identity(upstreams).token_requests[-1] == {"refresh_token": signed_in["refresh_token"]}
    assert set(set_cookies(response)) == {AT, RT, CSRF}
    assert "refresh_token" not in response.json()
