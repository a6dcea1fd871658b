"""Security headers on everything the gateway answers, and the per-client rate limit."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from servicekit.roles import Roles
from servicekit.testing.http import assert_problem
from servicekit.testing.tokens import TestSigner

from .support import METRICS_TOKEN, GatewayFactory
from .test_portal_cookies import AT, cookie_header

pytestmark = pytest.mark.integration

EXPECTED = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=()",
}


def assert_security_headers(response: httpx.Response) -> None:
    for name, expected in EXPECTED.items():
        [value] = response.headers.get_list(name)
        assert value.startswith(expected), (name, value)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/favicon.ico"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/health/ready"),
        ("GET", "/static/gateway.css"),
        ("GET", "/api/v1/cases/echo/x"),
        ("GET", "/api/v1/nowhere"),
        ("GET", "/not-here"),
        ("DELETE", "/health/live"),
    ],
)
async def test_every_response_carries_the_security_headers(
    gateway: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await gateway.request(method, path)

    assert_security_headers(response)


async def test_the_front_page_carries_the_portals_headers(gateway: httpx.AsyncClient) -> None:
    """The front page is a portal page: its forms need ``same-origin`` (see ``render.NO_STORE``)."""
    response = await gateway.get("/")

    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    for name, expected in EXPECTED.items():
        if name != "referrer-policy":
            assert response.headers[name].startswith(expected), name


async def test_api_answers_are_no_store_unless_the_service_set_a_policy(
    gateway: httpx.AsyncClient,
) -> None:
    for path in ("/api/v1/cases/echo/x", "/api/v1/cases/echo/x?status=404", "/api/v1/nowhere"):
        response = await gateway.get(path)
        assert response.headers.get_list("cache-control") == ["no-store"], path
    public = await gateway.get("/api/v1/cases/echo/keys", params={"cache": "public, max-age=60"})
    assert public.headers.get_list("cache-control") == ["public, max-age=60"]
    static = await gateway.get("/static/gateway.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("cache-control", "")  # static files may be kept


@pytest.mark.parametrize("environment", ["test", "production"])
async def test_hsts_is_sent_in_every_environment_but_development(
    start_gateway: GatewayFactory, environment: str
) -> None:
    gateway = await start_gateway(
        environment=environment, public_origin="https://portal.example.no"
    )
    for path in ("/", "/health/ready", "/api/v1/cases/echo/x", "/not-here"):
        hsts = (await gateway.get(path)).headers["strict-transport-security"]
        assert hsts == "max-age=31536000; includeSubDomains", path


async def test_no_hsts_in_development(start_gateway: GatewayFactory) -> None:
    development = await start_gateway(environment="development")
    assert "strict-transport-security" not in (await development.get("/")).headers


async def test_a_method_the_route_does_not_allow_is_a_problem_405(
    gateway: httpx.AsyncClient,
) -> None:
    assert_problem(await gateway.delete("/health/live"), 405, "method-not-allowed")


async def test_a_client_over_its_rate_is_told_to_wait(start_gateway: GatewayFactory) -> None:
    gateway = await start_gateway(rate_limit_burst=3, rate_limit_per_second=0.01)

    answers = [await gateway.get("/api/v1/auth/echo/x") for _ in range(3)]
    limited = await gateway.get("/api/v1/auth/echo/x")

    assert [r.status_code for r in answers] == [200, 200, 200]
    body = assert_problem(limited, 429, "rate-limited")
    assert body["instance"] == "/api/v1/auth/echo/x"
    assert int(limited.headers["retry-after"]) >= 1
    assert_security_headers(limited)
    assert len(limited.headers.get_list("x-request-id")) == 1
    # Pages, health and metrics are not rate limited.
    assert (await gateway.get("/health/live")).status_code == 200
    assert (await gateway.get("/")).status_code == 200


async def test_the_rate_limit_can_be_switched_off(start_gateway: GatewayFactory) -> None:
    gateway = await start_gateway(
        rate_limit_enabled=False, rate_limit_burst=1, rate_limit_per_second=0.01
    )

    statuses = {(await gateway.get("/api/v1/auth/echo/x")).status_code for _ in range(5)}

    assert statuses == {200}


async def test_a_crash_in_the_gateway_is_a_problem_500_with_the_usual_headers(
    start_gateway: GatewayFactory,
) -> None:
    def add_a_broken_page(app: FastAPI) -> None:
        async def broken() -> None:
            raise RuntimeError("a bug, with internals")

        app.add_api_route("/broken", broken)

    gateway = await start_gateway(prepare=add_a_broken_page)

    response = await gateway.get("/broken")

    assert_problem(response, 500, "internal-error")
    assert "internals" not in response.text
    assert_security_headers(response)
    assert len(response.headers.get_list("x-request-id")) == 1


async def test_a_client_cannot_choose_its_rate_limit_identity_with_x_forwarded_for(
    start_gateway: GatewayFactory,
) -> None:
    """No proxy is trusted unless configured: a loopback client's X-Forwarded-For is its
    own claim, and each claimed address would otherwise get a fresh bucket."""
    gateway = await start_gateway(rate_limit_burst=2, rate_limit_per_second=0.01)

    statuses = [
        (
            await gateway.get("/api/v1/auth/echo/x", headers={"X-Forwarded-For": f"10.9.0.{n}"})
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


async def test_a_configured_proxy_says_who_the_client_is(start_gateway: GatewayFactory) -> None:
    gateway = await start_gateway(
        rate_limit_burst=1, rate_limit_per_second=0.01, forwarded_allow_ips="127.0.0.1"
    )

    statuses = [
        (
            await gateway.get("/api/v1/auth/echo/x", headers={"X-Forwarded-For": f"10.9.1.{n}"})
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 200]


async def test_metrics_answer_only_the_scraper_with_the_token(gateway: httpx.AsyncClient) -> None:
    anonymous = await gateway.get("/metrics", headers={"Authorization": ""})
    wrong = await gateway.get("/metrics", headers={"Authorization": "Bearer not-it"})
    scraper = await gateway.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

    assert (anonymous.status_code, wrong.status_code, scraper.status_code) == (401, 401, 200)
    assert "http_requests_total" in scraper.text
    assert "http_requests_total" not in anonymous.text + wrong.text
    assert (await gateway.get("/health/ready", headers={"Authorization": ""})).status_code == 200


async def test_the_ops_pages_are_for_signed_in_agency_staff_with_the_ops_role_only(
    start_gateway: GatewayFactory, signer: TestSigner
) -> None:
    portal = await start_gateway(signed_in=False)

    def as_(*roles: str) -> dict[str, str]:
        token = signer.mint(
            organisation_id=uuid.uuid4(), roles=roles, session_id=uuid.uuid4(), ttl=3600
        )
        return {**cookie_header({AT: token}), "accept": "text/html"}

    for path in ("/ops", "/ops/status"):
        anonymous = await portal.get(path)
        assert anonymous.status_code == 303, path
        assert anonymous.headers["location"].startswith("/logg-inn"), path
        assert anonymous.headers["content-security-policy"].startswith("default-src 'self'")
        assert "tjenester" not in anonymous.text
        creditor = await portal.get(path, headers=as_(Roles.CREDITOR_ADMIN, Roles.CREDITOR))
        assert creditor.status_code == 403, path
        assert "tjenester" not in creditor.text
        handler = await portal.get(path, headers=as_(Roles.CASE_HANDLER))
        assert handler.status_code == 403, path
        ops = await portal.get(path, headers=as_(Roles.CASE_HANDLER, Roles.OPS))
        assert ops.status_code == 200, path
        assert "tjenester er klare" in ops.text
