"""The portal's pages over HTTP: signing in by form, CSRF on forms, refreshing the tokens
once for concurrent pages, and back to sign-in (with the page) when the session is gone."""

from __future__ import annotations

import asyncio
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from gateway.portal.visitor import VisitorDep
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, IdentityState, Upstreams
from .test_portal_cookies import AT, CSRF, RT, cookie_header, set_cookies

pytestmark = pytest.mark.integration


def _who_route(app: FastAPI) -> None:
    @app.get("/_test/hvem")
    async def who(visitor: VisitorDep) -> dict[str, str]:
        return {"user": str(visitor.principal.user_id), "token": visitor.token[:12]}


@pytest.fixture(scope="module")
async def portal(start_gateway: GatewayFactory) -> httpx.AsyncClient:
    return await start_gateway(_who_route, signed_in=False)


def identity(upstreams: Upstreams) -> IdentityState:
    state: IdentityState = upstreams.apps["auth"].state.identity
    return state


async def _csrf(portal: httpx.AsyncClient) -> str:
    page = await portal.get("/logg-inn")
    assert page.status_code == 200
    cookie = set_cookies(page)[CSRF]
    assert cookie.attributes["samesite"] == "Strict"
    assert "secure" in cookie.flags
    assert "httponly" not in cookie.flags  # the page's forms carry it
    return cookie.value


async def test_signing_in_through_the_forms_sets_httponly_cookies(
    portal: httpx.AsyncClient,
) -> None:
    csrf = await _csrf(portal)
    jar = {CSRF: csrf}
    step1 = await portal.post(
        "/logg-inn",
        data={
            "csrf_token": csrf,
            "email": "kari@nordlys.example",
            "password": "x",
            "neste": "/saker",
        },
        headers=cookie_header(jar),
    )
    assert step1.status_code == 200
    challenge = re.search(r'name="challenge" value="([^"]+)"', step1.text)
    assert challenge is not None
    step2 = await portal.post(
        "/logg-inn/kode",
        data={"csrf_token": csrf, "challenge": challenge[1], "code": "123456", "neste": "/saker"},
        headers=cookie_header(jar),
    )
    assert step2.status_code == 303
    assert step2.headers["location"] == "/saker"
    cookies = set_cookies(step2)
    assert {"httponly", "secure"} <= cookies[AT].flags
    assert {"httponly", "secure"} <= cookies[RT].flags
    assert cookies[CSRF].value != csrf  # a new one for the new session


async def test_forms_without_the_token_or_from_another_site_are_refused(
    portal: httpx.AsyncClient,
) -> None:
    csrf = await _csrf(portal)
    form = {"email": "kari@nordlys.example", "password": "x"}
    missing = await portal.post("/logg-inn", data=form, headers=cookie_header({CSRF: csrf}))
    assert missing.status_code == 403
    assert "Skjemaet er utløpt" in missing.text
    wrong = await portal.post(
        "/logg-inn",
        data={**form, "csrf_token": "not-it"},
        headers=cookie_header({CSRF: csrf}),
    )
    assert wrong.status_code == 403
    elsewhere = await portal.post(
        "/logg-inn",
        data={**form, "csrf_token": csrf},
        headers={**cookie_header({CSRF: csrf}), "Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403


async def test_after_signing_in_only_own_pages_are_next(portal: httpx.AsyncClient) -> None:
    csrf = await _csrf(portal)
    signed = await portal.post(
        "/logg-inn/kode",
        data={
            "csrf_token": csrf,
            "challenge": "c" * 20,
            "code": "123456",
            "neste": "//evil.example/",
        },
        headers=cookie_header({CSRF: csrf}),
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/oversikt"


async def _refresh_token(portal: httpx.AsyncClient) -> str:
    answer = await portal.post(
        "/api/v1/auth/sign-in/second-factor", json={"challenge": "c" * 20, "code": "123456"}
    )
    assert answer.status_code == 200
    token: str = answer.json()["refresh_token"]
    return token


async def test_concurrent_pages_with_an_expired_access_token_refresh_it_once(
    portal: httpx.AsyncClient, upstreams: Upstreams
) -> None:
    refresh = await _refresh_token(portal)
    jar = {RT: refresh, CSRF: "csrf-token-of-the-page"}
    answers = await asyncio.gather(
        *(portal.get("/_test/hvem", headers=cookie_header(jar)) for _ in range(5))
    )
    assert [a.status_code for a in answers] == [200] * 5
    assert len({a.json()["user"] for a in answers}) == 1
    used = [r for r in identity(upstreams).token_requests if r.get("refresh_token") == refresh]
    assert len(used) == 1  # a second use would have been refused (and, for real, revoked)
    for answer in answers:
        cookies = set_cookies(answer)
        assert cookies[AT].value
        assert cookies[CSRF].value == "csrf-token-of-the-page"  # kept across a refresh


async def test_a_dead_session_goes_to_sign_in_with_the_page_and_forgets_the_cookies(
    portal: httpx.AsyncClient,
) -> None:
    gone = await portal.get(
        "/_test/hvem?x=1", headers=cookie_header({RT: "rt-nobody-knows-this", CSRF: "c"})
    )
    assert gone.status_code == 303
    location = urlsplit(gone.headers["location"])
    assert location.path == "/logg-inn"
    assert parse_qs(location.query) == {"neste": ["/_test/hvem?x=1"], "melding": ["utlopt"]}
    cookies = set_cookies(gone)
    assert cookies[AT].attributes["max-age"] == "0"
    assert cookies[RT].attributes["max-age"] == "0"

    never = await portal.get("/saker")
    assert never.status_code == 303
    assert parse_qs(urlsplit(never.headers["location"]).query) == {"neste": ["/saker"]}


async def test_portal_pages_are_never_cached_and_keep_the_strict_policy(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get("/logg-inn")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert '<script src="/static/portal.js"' in page.text
    assert "<script>" not in page.text  # nothing inline


async def test_too_many_sign_in_attempts_get_a_page_that_says_how_long_to_wait(
    start_gateway: GatewayFactory,
) -> None:
    strict = await start_gateway(
        signed_in=False, auth_rate_limit_per_minute=1.0, auth_rate_limit_burst=1
    )
    csrf = await _csrf(strict)
    form = {"csrf_token": csrf, "email": "kari@nordlys.example", "password": "x"}
    first = await strict.post("/logg-inn", data=form, headers=cookie_header({CSRF: csrf}))
    assert first.status_code == 200
    second = await strict.post("/logg-inn", data=form, headers=cookie_header({CSRF: csrf}))
    assert second.status_code == 429
    assert second.headers["content-type"].startswith("text/html")
    assert int(second.headers["retry-after"]) > 0
    assert "For mange forsøk" in second.text


async def test_a_page_that_is_not_there_is_a_page_for_browsers_and_a_problem_for_apis(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get("/ingen-slik-side", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Fant ikke siden" in page.text
    api = await portal.get("/ingen-slik-side", headers={"Accept": "application/json"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_a_malformed_id_in_a_page_or_a_form_is_a_not_found_page(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    """Agency pages take ids from the path: one that is no id is a 404 page, never a 500."""
    csrf = await _csrf(portal)
    token = signer.mint(
        organisation_id=uuid.uuid4(),
        roles=[Roles.AGENCY_ADMIN, Roles.CASE_HANDLER],
        session_id=uuid.uuid4(),
        ttl=3600,
    )
    jar = {CSRF: csrf, AT: token}
    headers = {**cookie_header(jar), "accept": "text/html"}
    for path in (
        "/oppdragsgivere/ikke-en-id",
        "/saksbehandler/bankfiler/ikke-en-id",
        "/avregning/ikke-en-id",
        "/avregning/ikke-en-id/utbetalingsfil",
    ):
        page = await portal.get(path, headers=headers)
        assert page.status_code == 404, path
        assert "Fant ikke siden" in page.text, path
    for path in (
        "/oppdragsgivere/ikke-en-id",
        "/saksbehandler/innbetalinger/ikke-en-id",
        "/avregning/ikke-en-id/bankens-svar",
        "/brukere/ikke-en-id/deaktiver",
    ):
        sent = await portal.post(path, data={"csrf_token": csrf}, headers=headers)
        assert sent.status_code == 404, path
        assert "Fant ikke siden" in sent.text, path
