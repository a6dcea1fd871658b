"""Security headers on everything the gateway answers, and the per-client rate limit."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from servicekit.testing.http import assert_problem

from .support import GatewayFactory

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
        ("GET", "/"),
        ("GET", "/ops"),
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


async def test_hsts_is_sent_outside_development_only(start_gateway: GatewayFactory) -> None:
    production = await start_gateway(environment="production")
    development = await start_gateway(environment="development")

    hsts = (await production.get("/")).headers["strict-transport-security"]
    assert hsts.startswith("max-age=31536000")
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
