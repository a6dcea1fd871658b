"""The ops pages (``/ops``…): the ``ops`` role only; dashboards drawn from a real
Prometheus, «ingen data» when there is none; the dead-letter pages calling the service as
the signed-in person."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for

from .prometheus import RunningPrometheus
from .support import METRICS_TOKEN, SERVICES, GatewayFactory, RunningServer
from .test_portal_cookies import AT, CSRF, cookie_header

pytestmark = pytest.mark.integration

RUNBOOK = "https://runbook.example/docs/runbook.md#dead-letters"


def as_(signer: TestSigner, *roles: str, **extra: str) -> dict[str, str]:
    token = signer.mint(
        organisation_id=uuid.uuid4(), roles=roles, session_id=uuid.uuid4(), ttl=3600
    )
    return {**cookie_header({AT: token}, **extra), "accept": "text/html"}


def ops(signer: TestSigner, **extra: str) -> dict[str, str]:
    return as_(signer, Roles.CASE_HANDLER, Roles.OPS, **extra)


@pytest.fixture(scope="module")
async def portal(start_gateway: GatewayFactory, refused_url: str) -> httpx.AsyncClient:
    """A gateway whose Prometheus is down (a port that refuses connections)."""
    return await start_gateway(signed_in=False, prometheus_url=refused_url)


PAGES = ("/ops", "/ops/status", "/ops/cases", "/ops/gateway", "/ops/cases/doede-meldinger")


async def test_only_agency_staff_with_the_ops_role_see_the_ops_pages(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    for path in PAGES:
        anonymous = await portal.get(path, headers={"accept": "text/html"})
        assert anonymous.status_code == 303, path
        assert anonymous.headers["location"].startswith("/logg-inn"), path
        for roles in (
            (Roles.CREDITOR_ADMIN, Roles.CREDITOR),
            (Roles.CASE_HANDLER,),
            (Roles.AGENCY_ADMIN,),
            (Roles.CREDITOR, Roles.OPS),  # the role outside the agency is worth nothing
        ):
            refused = await portal.get(path, headers=as_(signer, *roles))
            assert refused.status_code == 403, (path, roles)
            assert "Drift" not in refused.text
            assert "tjenester" not in refused.text
    for path in PAGES[:4]:
        allowed = await portal.get(path, headers=ops(signer))
        assert allowed.status_code == 200, path


async def test_health_ready_stays_public(portal: httpx.AsyncClient) -> None:
    response = await portal.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_prometheus_down_is_no_data_not_an_error(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    for path in ("/ops", "/ops/cases", "/ops/gateway"):
        page = await portal.get(path, headers=ops(signer))
        assert page.status_code == 200, path
        assert page.headers["cache-control"].startswith("no-store")
        assert "Ingen data." in page.text
        assert "Prometheus kan ikke nås." in page.text
        assert "<polyline" not in page.text
        assert 'style="' not in page.text
    overview = (await portal.get("/ops", headers=ops(signer))).text
    # readiness does not need Prometheus
    assert f"Alle {len(SERVICES)} tjenester er klare." in overview
    assert 'href="/ops/cases/doede-meldinger"' in overview


async def test_prometheus_not_configured_says_so(
    start_gateway: GatewayFactory, signer: TestSigner
) -> None:
    portal = await start_gateway(signed_in=False)
    page = await portal.get("/ops/ledger", headers=ops(signer))
    assert page.status_code == 200
    assert "GATEWAY_PROMETHEUS_URL" in page.text


async def test_an_unknown_service_is_not_found(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    assert (await portal.get("/ops/nope", headers=ops(signer))).status_code == 404
    assert (
        await portal.get("/ops/gateway/doede-meldinger", headers=ops(signer))
    ).status_code == 404


# -- a real Prometheus ------------------------------------------------------------------


@pytest.fixture
async def prometheus(
    tmp_path: Path, start_gateway: GatewayFactory
) -> AsyncIterator[tuple[RunningPrometheus, httpx.AsyncClient]]:
    """Prometheus scraping a gateway of its own every second, with one alert always firing."""
    scraped = await start_gateway(signed_in=False)
    target = str(scraped.base_url).removeprefix("http://").rstrip("/")
    config = f"""
global: {{scrape_interval: 1s, evaluation_interval: 1s}}
rule_files: [rules.yml]
scrape_configs:
  - job_name: gateway
    authorization: {{credentials: "{METRICS_TOKEN}"}}
    static_configs: [{{targets: ["{target}"]}}]
"""
    rules = f"""
groups:
  - name: test
    rules:
      - alert: DeadLetterWaiting
        expr: vector(1)
        labels: {{severity: critical, service: gateway}}
        annotations: {{summary: "Test alert: always firing", runbook_url: "{RUNBOOK}"}}
"""
    running = await RunningPrometheus(tmp_path, config, rules).start()
    try:
        yield running, scraped
    finally:
        await running.stop()


async def test_the_gateways_dashboard_from_a_real_prometheus(
    prometheus: tuple[RunningPrometheus, httpx.AsyncClient],
    start_gateway: GatewayFactory,
    signer: TestSigner,
) -> None:
    running, scraped = prometheus
    portal = await start_gateway(signed_in=False, prometheus_url=running.url, prometheus_timeout=10)

    async def has_rate_and_alert() -> bool:
        await scraped.get("/health/live")
        async with httpx.AsyncClient(base_url=running.url, timeout=5) as client:
            rate = await client.get(
                "/api/v1/query",
                params={"query": 'sum(rate(http_requests_total{service="gateway"}[5m]))'},
            )
            alerts = await client.get("/api/v1/alerts")
        firing = [a for a in alerts.json()["data"]["alerts"] if a["state"] == "firing"]
        return bool(rate.json()["data"]["result"]) and bool(firing)

    await wait_for(has_rate_and_alert, what="a request rate and the alert", seconds=60, every=0.5)
    page = await portal.get("/ops/gateway", headers=ops(signer))
    assert page.status_code == 200
    html = page.text
    requests = html.split('id="panel-requests"')[1].split("</section>")[0]
    assert "<polyline" in requests
    assert re.search(r"forespørsler/s: <strong>[0-9,]+/s</strong> nå", requests)
    assert "DeadLetterWaiting" in html
    assert f'<a href="{RUNBOOK}">Runbook</a>' in html
    assert "Test alert: always firing" in html
    assert 'style="' not in html
    overview = (await portal.get("/ops", headers=ops(signer))).text
    assert 'href="/ops/gateway">gateway</a>' in overview
    assert "DeadLetterWaiting" in overview


# -- dead letters, through a service stand-in ---------------------------------------------

LETTER = {
    "event_id": "6f1c9a52-8c8e-4d7c-9a57-1b2c3d4e5f60",
    "event_type": "ledger.payment.booked",
    "error": "ValueError: cannot apply",
    "dead_lettered_by": "cases",
    "attempts": 4,
}


def dead_letter_service(calls: list[tuple[str, str, Any, str]]) -> FastAPI:
    """The cases service's dead-letter endpoints as a stand-in that records every call."""
    app = FastAPI()
    base = "/api/v1/cases/ops/dead-letters"

    async def record(request: Request) -> None:
        body = await request.json() if request.method == "POST" else None
        calls.append(
            (request.method, request.url.path, body, request.headers.get("authorization", ""))
        )

    @app.get(base)
    async def queues(request: Request) -> dict[str, Any]:
        await record(request)
        return {
            "service": "cases",
            "queues": [{"queue": "cases.events", "dead_letters": 1, "waiting": 0}],
        }

    @app.get(base + "/cases.events")
    async def listing(request: Request) -> dict[str, Any]:
        await record(request)
        return {"queue": "cases.events", "count": 1, "items": [LETTER]}

    @app.get(base + "/cases.events/{event_id}")
    async def inspect(request: Request, event_id: str) -> dict[str, Any]:
        await record(request)
        return {
            **LETTER,
            "headers": {"x-retry-attempt": 4},
            "payload": {"data": {"debtor_name": "[skjult]"}},
        }

    @app.post(base + "/cases.events/{action}")
    async def act(request: Request, action: str) -> dict[str, int]:
        await record(request)
        return {"count": 1}

    return app


async def test_dead_letters_listed_inspected_replayed_and_purged_as_the_signed_in_person(
    start_gateway: GatewayFactory, signer: TestSigner
) -> None:
    calls: list[tuple[str, str, Any, str]] = []
    service = await RunningServer(dead_letter_service(calls)).start()
    try:
        portal = await start_gateway(signed_in=False, cases_url=service.url)
        csrf = secrets.token_urlsafe(32)
        headers = ops(signer, **{CSRF: csrf})
        listing = await portal.get("/ops/cases/doede-meldinger", headers=headers)
        assert listing.status_code == 200
        assert "ledger.payment.booked" in listing.text
        assert "Spill av alle i cases.events" in listing.text
        detail = await portal.get(
            f"/ops/cases/doede-meldinger/cases.events/{LETTER['event_id']}", headers=headers
        )
        assert "[skjult]" in detail.text
        replay = await portal.post(
            "/ops/cases/doede-meldinger/cases.events/spill-av",
            data={"csrf_token": csrf, "event_id": LETTER["event_id"]},
            headers=headers,
        )
        assert replay.status_code == 303
        assert replay.headers["location"] == "/ops/cases/doede-meldinger?melding=spilt-av&antall=1"
        shown = await portal.get(replay.headers["location"], headers=headers)
        assert "1 døde meldinger er sendt tilbake til køen." in shown.text
        no_reason = await portal.post(
            "/ops/cases/doede-meldinger/cases.events/slett",
            data={"csrf_token": csrf, "alle": "ja", "grunn": " "},
            headers=headers,
        )
        assert no_reason.headers["location"].endswith("?feil=grunn")
        purge = await portal.post(
            "/ops/cases/doede-meldinger/cases.events/slett",
            data={"csrf_token": csrf, "alle": "ja", "grunn": "kjent feil, rettet i 1.4"},
            headers=headers,
        )
        assert purge.headers["location"].endswith("melding=slettet&antall=1")
        forged = await portal.post(
            "/ops/cases/doede-meldinger/cases.events/spill-av",
            data={"csrf_token": "not-it", "alle": "ja"},
            headers=headers,
        )
        assert forged.status_code == 403
    finally:
        await service.stop()

    posts = [(path.rsplit("/", 1)[1], body) for method, path, body, _ in calls if method == "POST"]
    assert posts == [
        ("replay", {"event_ids": [LETTER["event_id"]]}),
        ("purge", {"all": True, "reason": "kjent feil, rettet i 1.4"}),
    ]
    assert all(auth.startswith("Bearer ey") for *_, auth in calls)  # as the person, no secret
