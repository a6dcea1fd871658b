"""«Integrasjoner» over HTTP, against an integrations stand-in: the connection's status and
the refused invoices in Norwegian (the service's codes translated), connecting with keys
Tripletex refuses, and pause."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, RunningServer
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration

API = "/api/v1/integrations/tripletex"
CONNECTION = {
    "connection_id": str(uuid.uuid4()),
    "erp": "tripletex",
    "company_id": "4711",
    "status": "active",
    "last_sync_at": "2026-12-06T10:00:00+00:00",
    "last_sync_outcome": "erp_rate_limited",
    "next_sync_at": "2026-12-06T10:15:00+00:00",
    "created_at": "2026-12-01T10:00:00+00:00",
    "invoices": {"handed_over": 0, "registered": 12, "refused": 2},
    "conflicts": 1,
}


def _integrations(calls: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get(API)
    async def connection() -> Any:
        return CONNECTION

    @app.put(API)
    async def connect(request: Request) -> Any:
        calls.append("PUT " + (await request.json())["employee_token"])
        return JSONResponse(
            {
                "type": "https://infocenter.no/problems/erp-refused",
                "title": "The ERP refused the connection",
                "status": 422,
                "detail": "The ERP did not accept these keys, or could not be reached.",
                "erp_code": "erp_unauthorised",
            },
            status_code=422,
            media_type="application/problem+json",
        )

    @app.get(API + "/invoices")
    async def invoices() -> Any:
        common = {"outstanding_ore": 250_000, "due_date": "2026-10-01"}
        common["updated_at"] = "2026-12-06T10:00:00+00:00"
        return {
            "items": [
                {
                    "invoice_id": 900_101,
                    "invoice_number": "10101",
                    "state": "refused",
                    "case_number": None,
                    "error_fields": ["debtor.organisation_number"],
                    "conflicts": [],
                    **common,
                },
                {
                    "invoice_id": 900_102,
                    "invoice_number": "10102",
                    "state": "refused",
                    "case_number": None,
                    "error_fields": ["claims[0].due_date", "debtor.whatever"],
                    "conflicts": [],
                    **common,
                },
                {
                    "invoice_id": 900_103,
                    "invoice_number": "10103",
                    "state": "registered",
                    "case_number": "IC-0000042",
                    "error_fields": [],
                    "conflicts": ["due_date_changed"],
                    **common,
                },
            ],
            "next_cursor": None,
        }

    @app.get(API + "/runs")
    async def runs() -> Any:
        return []

    @app.post(API + "/pause")
    async def pause() -> Response:
        calls.append("pause")
        return Response(status_code=204)

    return app


@pytest.fixture(scope="module")
def calls() -> list[str]:
    return []


@pytest.fixture(scope="module")
async def portal(
    start_gateway: GatewayFactory, calls: list[str]
) -> AsyncIterator[httpx.AsyncClient]:
    integrations = await RunningServer(_integrations(calls)).start()
    yield await start_gateway(signed_in=False, integrations_url=integrations.url)
    await integrations.stop()


async def _headers(portal: httpx.AsyncClient, signer: TestSigner, role: str) -> dict[str, str]:
    csrf = set_cookies(await portal.get("/logg-inn"))[CSRF].value
    token = signer.mint(
        organisation_id=uuid.uuid4(), roles=[role], session_id=uuid.uuid4(), ttl=3600
    )
    return {**cookie_header({CSRF: csrf, AT: token}), "accept": "text/html", "x-csrf": csrf}


async def test_status_and_refused_invoices_in_norwegian(
    portal: httpx.AsyncClient, signer: TestSigner, calls: list[str]
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR_ADMIN)

    page = await portal.get("/integrasjoner", headers=headers)

    assert page.status_code == 200, page.text
    text = page.text
    assert "Tripletex ba oss vente; prøver igjen snart" in text  # erp_rate_limited
    assert "Kunden mangler gyldig norsk organisasjonsnummer" in text
    assert "Forfallsdatoen er ugyldig eller ikke passert" in text  # claims[0].due_date
    assert "Feil i feltet debtor.whatever" in text
    assert "Forfallsdatoen er endret i Tripletex etter overføring" in text
    assert "IC-0000042" in text
    assert "/integrasjoner/faktura/900101/prov-igjen" in text
    assert "/integrasjoner/faktura/900103/prov-igjen" not in text  # a case: nothing to retry
    assert "erp_" not in text
    assert "debtor.organisation_number" not in text

    csrf = headers.pop("x-csrf")
    refused = await portal.post(
        "/integrasjoner/koble-til",
        data={"csrf_token": csrf, "consumer_token": "c", "employee_token": "wrong"},
        headers=headers,
    )
    assert refused.status_code == 400
    assert "Tripletex godtok ikke nøklene." in refused.text
    assert "wrong" not in refused.text  # a key typed is never shown back
    assert "The ERP did not accept" not in refused.text

    paused = await portal.post("/integrasjoner/pause", data={"csrf_token": csrf}, headers=headers)
    assert paused.status_code == 303
    assert paused.headers["location"] == "/integrasjoner?melding=pause"
    assert calls == ["PUT wrong", "pause"]


async def test_only_creditor_admins_reach_the_page(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    headers.pop("x-csrf")
    page = await portal.get("/integrasjoner", headers=headers)
    assert page.status_code == 403
