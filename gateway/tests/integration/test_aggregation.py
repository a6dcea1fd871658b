"""What the gateway builds from all services: readiness, the merged OpenAPI, the pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for

from .support import METRICS_TOKEN, SERVICES, GatewayFactory, RunningServer, upstream_app
from .test_portal_cookies import AT, cookie_header

pytestmark = pytest.mark.integration


async def test_live_is_always_200(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "live"}


async def test_ready_is_200_when_every_service_is_ready(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/health/ready")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["services"]) == set(SERVICES)
    for result in body["services"].values():
        assert result["status"] == "ready"
        assert result["checks"]["database"]["status"] == "up"
        assert isinstance(result["ms"], float)


@pytest.fixture(scope="module")
async def unready_cases() -> AsyncIterator[RunningServer]:
    server = await RunningServer(upstream_app("cases", ready=False)).start()
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def degraded(
    start_gateway: GatewayFactory, unready_cases: RunningServer, refused_url: str
) -> httpx.AsyncClient:
    """A gateway whose cases service is not ready and whose credit service is down."""
    return await start_gateway(cases_url=unready_cases.url, credit_url=refused_url)


async def test_ready_is_503_and_says_which_service_is_not(degraded: httpx.AsyncClient) -> None:
    response = await degraded.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    services = body["services"]
    assert services["auth"]["status"] == "ready"
    assert services["cases"]["status"] == "not_ready"
    assert services["cases"]["checks"]["broker"]["status"] == "down"
    assert services["credit"]["status"] == "unreachable"
    assert services["credit"]["error"] == "connection_failed"
    assert "checks" not in services["credit"]


async def test_a_hanging_service_is_unreachable_within_the_health_timeout(
    start_gateway: GatewayFactory,
) -> None:
    hanging = upstream_app("ledger", health_hangs=True)
    server = await RunningServer(hanging).start()
    try:
        gateway = await start_gateway(ledger_url=server.url, health_timeout=0.3)
        response = await gateway.get("/health/ready")
    finally:
        hanging.state.release.set()
        await server.stop()

    assert response.status_code == 503
    ledger = response.json()["services"]["ledger"]
    assert ledger["status"] == "unreachable"
    assert ledger["error"] == "timeout"
    assert ledger["ms"] < 2000


async def test_the_merged_openapi_covers_every_service_under_api_v1(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["x-unavailable"] == []
    paths = spec["paths"]
    assert all(p.startswith("/api/v1/") for p in paths)
    for service in SERVICES:
        assert f"/api/v1/{service}/upload" in paths
        assert paths[f"/api/v1/{service}/upload"]["post"]["tags"] == [service]
    assert "/internal/only" not in paths
    assert "/health/ready" not in paths
    assert [t["name"] for t in spec["tags"]] == list(SERVICES)


async def test_colliding_schemas_are_renamed_per_service_and_refs_follow(
    gateway: httpx.AsyncClient,
) -> None:
    spec = (await gateway.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]

    assert "ItemOut" not in schemas
    assert "amount_ore" in schemas["CasesItemOut"]["properties"]
    assert "name" in schemas["AuthItemOut"]["properties"]
    ok = spec["paths"]["/api/v1/cases/items/{item_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/CasesItemOut"
    )
    # FastAPI's validation error schemas are the same everywhere: kept once, unprefixed.
    assert "HTTPValidationError" in schemas
    assert not any(
        name.endswith("HTTPValidationError") and name != "HTTPValidationError" for name in schemas
    )


async def test_a_service_that_is_down_is_named_in_the_merged_openapi(
    degraded: httpx.AsyncClient,
) -> None:
    spec = (await degraded.get("/openapi.json")).json()

    assert spec["info"]["x-unavailable"] == ["credit"]
    assert not any(p.startswith("/api/v1/credit/") for p in spec["paths"])
    assert "/api/v1/cases/upload" in spec["paths"]


async def test_the_merged_openapi_is_cached_for_its_ttl(start_gateway: GatewayFactory) -> None:
    server = await RunningServer(upstream_app("reports")).start()
    gateway = await start_gateway(reports_url=server.url, openapi_cache_seconds=300.0)
    try:
        first = (await gateway.get("/openapi.json")).json()
    finally:
        await server.stop()

    second = (await gateway.get("/openapi.json")).json()

    assert "/api/v1/reports/upload" in first["paths"]
    assert second == first


async def test_docs_lists_operations_by_service_without_third_party_assets(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="nb">' in html
    for service in SERVICES:
        assert f'id="tag-{service}"' in html
    assert "<code>/api/v1/cases/items/{item_id}</code>" in html
    assert "Stream generated bytes" in html
    assert ">POST<" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith(("/", "#")) for s in sources), sources


async def test_docs_says_which_services_are_missing(degraded: httpx.AsyncClient) -> None:
    html = (await degraded.get("/docs")).text

    assert "<strong>credit</strong>" in html


async def test_the_landing_page_is_norwegian_links_docs_and_not_ops(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/")

    assert response.status_code == 200
    html = response.text
    assert '<html lang="nb">' in html
    assert "InfoCenter \N{EN DASH} portal for oppdragsgivere" in html
    assert 'href="/ops"' not in html
    assert 'href="/docs"' in html
    assert 'href="/static/gateway.css"' in html
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert "<style" not in html
    assert "<script>" not in html


async def test_the_landing_page_switches_language(gateway: httpx.AsyncClient) -> None:
    norwegian = (await gateway.get("/")).text
    switch = re.search(r'class="lang-switch" href="([^"]+)"', norwegian)
    assert switch is not None
    chosen = await gateway.get(switch.group(1).replace("&amp;", "&"))
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/"

    cookie = "; ".join(f"{name}={value}" for name, value in chosen.cookies.items())
    english = await gateway.get("/", headers={"Cookie": cookie})

    assert '<html lang="en">' in english.text
    assert "InfoCenter \N{EN DASH} portal for creditors" in english.text
    assert "portal for oppdragsgivere" not in english.text


async def test_the_old_favicon_name_leads_to_the_icon(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/favicon.ico")
    icon = await gateway.get(response.headers["location"])

    assert response.status_code == 301
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")


async def test_the_stylesheet_and_script_are_served_by_the_gateway(
    gateway: httpx.AsyncClient,
) -> None:
    css = await gateway.get("/static/gateway.css")
    script = await gateway.get("/static/ops.js")

    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


async def as_a_person(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> httpx.Response:
    """A page asked for with the portal cookie only: these clients send a bearer token by
    default, and a page refuses any request that carries one (machine tokens stay out)."""
    request = client.build_request("GET", path, headers=headers)
    del request.headers["authorization"]
    return await client.send(request)


def agency_staff(signer: TestSigner) -> dict[str, str]:
    """An ops user's portal cookie (the ops pages are for agency staff with the ops role)."""
    token = signer.mint(
        organisation_id=uuid.uuid4(),
        roles=[Roles.CASE_HANDLER, Roles.OPS],
        session_id=uuid.uuid4(),
        ttl=3600,
    )
    return cookie_header({AT: token})


async def test_ops_shows_each_services_readiness(
    degraded: httpx.AsyncClient, signer: TestSigner
) -> None:
    response = await as_a_person(degraded, "/ops", agency_staff(signer))

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    assert '<script src="/static/ops.js" defer></script>' in html
    assert f"2 av {len(SERVICES)} tjenester er ikke klare." in html
    assert 'class="badge badge-unreachable">Utilgjengelig<' in html
    assert 'class="badge badge-not_ready">Ikke klar<' in html
    assert html.count('class="badge badge-ready">Klar<') == len(SERVICES) - 2
    assert 'broker: <span class="check-down">nede</span>' in html


async def test_the_ops_status_fragment_is_what_the_page_refreshes_with(
    gateway: httpx.AsyncClient, signer: TestSigner
) -> None:
    response = await as_a_person(gateway, "/ops/status", agency_staff(signer))

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="ops-status"')
    assert f"Alle {len(SERVICES)} tjenester er klare." in response.text


async def test_metrics_count_requests_and_upstream_outcomes(gateway: httpx.AsyncClient) -> None:
    await gateway.get("/api/v1/auth/echo/metrics")

    async def exposed() -> str | None:
        scraper = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        text = (await gateway.get("/metrics", headers=scraper)).text
        return text if "gateway_upstream_requests_total{" in text else None

    text = await wait_for(exposed, what="gateway metrics")
    assert re.search(r'http_requests_total\{.*service="gateway"', text)
    assert re.search(
        r'gateway_upstream_requests_total\{method="GET",outcome="200",upstream="auth"\}', text
    )
    assert "gateway_upstream_response_seconds_bucket" in text
