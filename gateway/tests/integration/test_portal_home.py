"""The start page's key figures over HTTP, against stand-ins: the recovery rate, collected
per month and ageing come from the reports service (``/api/v1/reports/kpis``), drawn as
server-side SVG without inline styles; agency staff narrow them to one creditor; when the
reports service is down the page still shows and says so."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from servicekit.http import RequestContextMiddleware
from servicekit.problems import problem
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, RunningServer, identity_app
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration

CREDITOR = uuid.UUID("5d6c1a0e-3b7f-4c1e-9f5e-6a1b2c3d4e5f")
OTHER = uuid.UUID("7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b")
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
KPIS = {
    "as_of": "2026-12-06",
    "recovery": {
        "cases": 5,
        "registered_principal_ore": 660_000,
        "recovered_principal_ore": 160_000,
        "rate_percent": 24.2,
    },
    "collected_per_month": [
        {"month": m, "collected_ore": 115_000 if m == "2026-03" else 0} for m in MONTHS
    ],
    "ageing": [
        {"bucket": b, "cases": n, "outstanding_principal_ore": ore}
        for b, n, ore in (
            ("0-30", 1, 300_000),
            ("31-60", 0, 0),
            ("61-90", 0, 0),
            ("91-180", 2, 210_000),
            ("181-365", 0, 0),
            ("365+", 0, 0),
        )
    ],
}


@dataclass
class Seen:
    calls: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    reports_down: bool = False

    def last(self, path: str) -> list[tuple[str, str]]:
        return next(q for p, q in reversed(self.calls) if p == path)


def _services(seen: Seen) -> FastAPI:
    """The cases and reports routes the start page calls."""
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware, service="fake-services")

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        seen.calls.append((request.url.path, list(request.query_params.multi_items())))
        if seen.reports_down and request.url.path.startswith("/api/v1/reports"):
            return problem(503, "service-unavailable", "Service unavailable")
        response: Response = await call_next(request)
        return response

    @app.get("/api/v1/reports/kpis")
    async def kpis() -> Any:
        return KPIS

    @app.get("/api/v1/cases/summary")
    async def summary() -> Any:
        return {
            "total_cases": 5,
            "open_cases": 3,
            "outstanding_principal_ore": 510_000,
            "by_status": [{"status": "registered", "cases": 3, "principal_total_ore": 510_000}],
            "registered_per_month": [],
        }

    @app.get("/api/v1/cases")
    async def cases() -> Any:
        return {"items": [], "next_cursor": None}

    @app.get("/api/v1/cases/export")
    async def export() -> Any:
        return Response(
            "\ufeffSaksnummer;Saldo (kr)\r\nIC-0000007;1234,50\r\n".encode(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="saker.csv"'},
        )

    @app.get("/api/v1/cases/notes/unread")
    async def unread() -> Any:
        return {"total": 0, "cases": []}

    return app


def _identity(signer: TestSigner) -> FastAPI:
    app = identity_app(signer)

    @app.get("/api/v1/auth/me")
    async def me() -> Any:
        return {"full_name": "Kari Nordmann"}

    @app.get("/api/v1/auth/organisations")
    async def organisations() -> Any:
        return [
            {"id": str(CREDITOR), "name": "Nordlys Energi AS"},
            {"id": str(OTHER), "name": "Fjord Bygg AS"},
        ]

    return app


@pytest.fixture(scope="module")
def seen() -> Seen:
    return Seen()


@pytest.fixture(scope="module")
async def portal(
    start_gateway: GatewayFactory, seen: Seen, signer: TestSigner
) -> AsyncIterator[httpx.AsyncClient]:
    services = await RunningServer(_services(seen)).start()
    identity = await RunningServer(_identity(signer)).start()
    urls = {f"{name}_url": services.url for name in ("reports", "cases", "ledger")}
    yield await start_gateway(
        signed_in=False,
        auth_url=identity.url,
        jwks_url=identity.url + "/api/v1/auth/.well-known/jwks.json",
        **urls,
    )
    await services.stop()
    await identity.stop()


async def _headers(
    portal: httpx.AsyncClient, signer: TestSigner, role: str, organisation: uuid.UUID
) -> dict[str, str]:
    page = await portal.get("/logg-inn")
    csrf = set_cookies(page)[CSRF].value
    token = signer.mint(
        organisation_id=organisation, roles=[role], session_id=uuid.uuid4(), ttl=3600
    )
    return {**cookie_header({CSRF: csrf, AT: token}), "accept": "text/html"}


async def test_the_start_page_shows_the_reports_key_figures(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    seen.reports_down = False
    headers = await _headers(portal, signer, Roles.CREDITOR, CREDITOR)
    page = await portal.get("/oversikt", headers=headers)
    assert page.status_code == 200, page.text
    text = page.text
    assert ("months", "12") in seen.last("/api/v1/reports/kpis")
    assert not any(k == "creditor_id" for k, _ in seen.last("/api/v1/reports/kpis"))
    assert '<span class="figure" id="losningsgrad">24,2\u00a0%</span>' in text
    assert '<span class="figure" id="innkrevd">kr\u00a01\u00a0150,00</span>' in text
    assert "Innkrevd per måned" in text
    assert "mar 26" in text
    assert "91\u2013180 dager" in text
    assert "kr\u00a02\u00a0100,00" in text  # the 91-180 bucket's principal
    assert 'id="chart-collected-title"' in text
    assert 'id="chart-ageing-title"' in text
    assert "style=" not in text  # the CSP forbids inline styles
    assert 'name="oppdragsgiver"' not in text  # a creditor's user has no creditor choice


async def test_agency_staff_choose_a_creditor_and_a_down_service_is_said(
    portal: httpx.AsyncClient, signer: TestSigner, seen: Seen
) -> None:
    seen.reports_down = False
    headers = await _headers(portal, signer, Roles.CASE_HANDLER, uuid.uuid4())
    everyone = await portal.get("/oversikt", headers=headers)
    assert everyone.status_code == 200
    assert 'name="oppdragsgiver"' in everyone.text
    assert "Fjord Bygg AS" in everyone.text
    assert not any(k == "creditor_id" for k, _ in seen.last("/api/v1/reports/kpis"))
    one = await portal.get("/oversikt", params={"oppdragsgiver": str(OTHER)}, headers=headers)
    assert one.status_code == 200
    assert ("creditor_id", str(OTHER)) in seen.last("/api/v1/reports/kpis")
    assert f'<option value="{OTHER}" selected>' in one.text
    # a malformed choice is not sent on
    odd = await portal.get("/oversikt", params={"oppdragsgiver": "x"}, headers=headers)
    assert odd.status_code == 200
    assert not any(k == "creditor_id" for k, _ in seen.last("/api/v1/reports/kpis"))

    seen.reports_down = True
    try:
        down = await portal.get("/oversikt", headers=headers)
    finally:
        seen.reports_down = False
    assert down.status_code == 200
    assert 'id="nokkeltall-mangler"' in down.text
    assert '<span class="figure" id="losningsgrad">\u2013</span>' in down.text
