"""Readiness and OpenAPI aggregation over an in-memory HTTP transport (no sockets)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from gateway.health import readiness
from gateway.openapi import OpenApiAggregator
from gateway.settings import GatewaySettings
from gateway.upstream import Upstreams

pytestmark = pytest.mark.unit

Handler = Callable[[httpx.Request], httpx.Response]
SERVICES = ("auth", "cases", "ledger", "reports", "credit", "integrations", "webhooks")


def upstreams_with(handler: Handler) -> Upstreams:
    settings = GatewaySettings(**{f"{s}_url": f"http://{s}.test" for s in SERVICES})
    return Upstreams(settings, httpx.AsyncClient(transport=httpx.MockTransport(handler)))


def ready_body(up: bool = True) -> dict[str, object]:
    return {
        "status": "ready" if up else "not_ready",
        "checks": {"database": {"status": "up" if up else "down", "ms": 1.0}},
    }


async def test_every_service_ready_is_ready() -> None:
    upstreams = upstreams_with(lambda r: httpx.Response(200, json=ready_body()))

    body = await readiness(upstreams)

    assert body["status"] == "ready"
    assert list(body["services"]) == list(SERVICES)
    assert body["services"]["auth"]["checks"]["database"]["status"] == "up"


async def test_each_way_of_not_being_ready_is_told_apart() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host == "cases.test":
            return httpx.Response(503, json=ready_body(up=False))
        if host == "ledger.test":
            raise httpx.ConnectError("refused", request=request)
        if host == "reports.test":
            raise httpx.ReadTimeout("slow", request=request)
        if host == "credit.test":
            return httpx.Response(200, text="<html>not a service</html>")
        return httpx.Response(200, json=ready_body())

    body = await readiness(upstreams_with(handler))
    services = body["services"]

    assert body["status"] == "not_ready"
    assert services["auth"]["status"] == "ready"
    assert services["cases"] == {
        "status": "not_ready",
        "checks": {"database": {"status": "down", "ms": 1.0}},
        "ms": services["cases"]["ms"],
    }
    assert services["ledger"]["status"] == "unreachable"
    assert services["ledger"]["error"] == "connection_failed"
    assert services["reports"]["status"] == "unreachable"
    assert services["reports"]["error"] == "timeout"
    assert services["credit"]["status"] == "not_ready"
    assert services["credit"]["error"] == "invalid_response"


async def test_a_200_that_does_not_say_ready_is_not_ready() -> None:
    upstreams = upstreams_with(lambda r: httpx.Response(500, json={"status": "ready"}))

    body = await readiness(upstreams)

    assert {s["status"] for s in body["services"].values()} == {"not_ready"}
    assert body["services"]["auth"]["error"] == "http_500"


def spec_of(service: str) -> dict[str, object]:
    return {
        "openapi": "3.1.0",
        "info": {"title": service, "version": "1"},
        "paths": {f"/api/v1/{service}/things": {"get": {"summary": f"{service} things"}}},
    }


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_merged_document_is_built_once_per_ttl() -> None:
    calls: list[str] = []
    down = {"credit"}

    def handler(request: httpx.Request) -> httpx.Response:
        service = request.url.host.removesuffix(".test")
        calls.append(service)
        assert request.url.path == "/openapi.json"
        if service in down:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=spec_of(service))

    clock = Clock()
    aggregator = OpenApiAggregator(upstreams_with(handler), ttl=10.0, timeout=1.0, clock=clock)

    first = await aggregator.document()
    clock.now = 9.0
    again = await aggregator.document()
    assert again is first
    assert sorted(calls) == sorted(SERVICES)
    assert first["info"]["x-unavailable"] == ["credit"]
    assert "/api/v1/credit/things" not in first["paths"]

    down.clear()
    clock.now = 10.5
    fresh = await aggregator.document()
    assert len(calls) == 2 * len(SERVICES)
    assert fresh["info"]["x-unavailable"] == []
    assert "/api/v1/credit/things" in fresh["paths"]


async def test_something_that_is_not_an_openapi_document_counts_as_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.test":
            return httpx.Response(200, json=["not", "a", "spec"])
        if request.url.host == "cases.test":
            return httpx.Response(404, json={"detail": "Not Found"})
        return httpx.Response(200, json=spec_of(request.url.host.removesuffix(".test")))

    aggregator = OpenApiAggregator(upstreams_with(handler), ttl=0.0, timeout=1.0)

    document = await aggregator.document()

    assert document["info"]["x-unavailable"] == ["auth", "cases"]
    assert [t["name"] for t in document["tags"]] == [
        "ledger",
        "reports",
        "credit",
        "integrations",
        "webhooks",
    ]
