"""«Webhooks» over HTTP, against a webhooks-service stand-in: the endpoints listed, a new
one's secret shown once, the service's codes in Norwegian, disable, rotation, the delivery
log, and redelivery of one event and of a period (Oslo time sent as an aware time)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, RunningServer
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration

API = "/api/v1/webhooks"
ENDPOINT_ID = str(uuid.uuid4())
MESSAGE_ID = str(uuid.uuid4())
SECRET = "whsec_" + "A" * 43
ENDPOINT = {
    "id": ENDPOINT_ID,
    "url": "https://erp.example.no/hooks",
    "description": "ERP",
    "event_types": ["case.registered"],
    "enabled": False,
    "disabled_reason": "gone",
    "failing_since": None,
    "previous_secret_until": None,
    "created_at": "2026-12-01T10:00:00+00:00",
}


def _webhooks(calls: list[Any]) -> FastAPI:
    app = FastAPI()

    @app.get(API + "/event-types")
    async def event_types() -> Any:
        return [
            {"type": "case.registered", "description": "a case was registered"},
            {"type": "payment.received", "description": "a payment was received"},
        ]

    @app.get(API + "/endpoints")
    async def endpoints() -> Any:
        return [ENDPOINT]

    @app.post(API + "/endpoints")
    async def create(request: Request) -> Any:
        body = await request.json()
        calls.append(("create", body, request.headers.get("idempotency-key") is not None))
        if body["url"].startswith("https://10."):
            return JSONResponse(
                {
                    "type": "https://infocenter.no/problems/validation-error",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": "url: address-forbidden",
                    "errors": [
                        {"field": "url", "reason": "address-forbidden", "code": "address-forbidden"}
                    ],
                },
                status_code=422,
                media_type="application/problem+json",
            )
        return JSONResponse({**ENDPOINT, **body, "enabled": True, "secret": SECRET}, 201)

    @app.get(API + "/endpoints/{endpoint_id}")
    async def one(endpoint_id: str) -> Any:
        if endpoint_id != ENDPOINT_ID:
            return JSONResponse({"type": "about:blank", "status": 404, "title": "x"}, 404)
        return ENDPOINT

    @app.patch(API + "/endpoints/{endpoint_id}")
    async def change(endpoint_id: str, request: Request) -> Any:
        calls.append(("patch", await request.json()))
        return ENDPOINT

    @app.post(API + "/endpoints/{endpoint_id}/rotate-secret")
    async def rotate(endpoint_id: str) -> Any:
        calls.append(("rotate",))
        return {"secret": SECRET, "previous_valid_until": "2026-12-08T10:00:00+00:00"}

    @app.post(API + "/endpoints/{endpoint_id}/redeliver")
    async def redeliver(endpoint_id: str, request: Request) -> Any:
        calls.append(("redeliver", await request.json()))
        return JSONResponse({"queued": 3}, 202)

    @app.get(API + "/endpoints/{endpoint_id}/attempts")
    async def attempts(endpoint_id: str) -> Any:
        attempt = {
            "id": 7,
            "message_id": MESSAGE_ID,
            "event_type": "case.registered",
            "attempted_at": "2026-12-06T10:00:00+00:00",
            "outcome": "http-error",
            "status_code": 410,
            "latency_ms": 12,
            "response_excerpt": "gone",
        }
        return {"attempts": [attempt], "next_before": None}

    return app


@pytest.fixture(scope="module")
def calls() -> list[Any]:
    return []


@pytest.fixture(scope="module")
async def portal(
    start_gateway: GatewayFactory, calls: list[Any]
) -> AsyncIterator[httpx.AsyncClient]:
    webhooks = await RunningServer(_webhooks(calls)).start()
    yield await start_gateway(signed_in=False, webhooks_url=webhooks.url)
    await webhooks.stop()


async def _headers(portal: httpx.AsyncClient, signer: TestSigner, role: str) -> dict[str, str]:
    csrf = set_cookies(await portal.get("/logg-inn"))[CSRF].value
    token = signer.mint(
        organisation_id=uuid.uuid4(), roles=[role], session_id=uuid.uuid4(), ttl=3600
    )
    return {**cookie_header({CSRF: csrf, AT: token}), "accept": "text/html", "x-csrf": csrf}


async def test_endpoints_secret_once_and_codes_in_norwegian(
    portal: httpx.AsyncClient, signer: TestSigner, calls: list[Any]
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR_ADMIN)
    csrf = headers.pop("x-csrf")

    listed = await portal.get("/webhooks", headers=headers)
    assert listed.status_code == 200, listed.text
    assert "https://erp.example.no/hooks" in listed.text
    assert "Deaktivert (mottakeren svarte 410 Gone)" in listed.text
    assert "Sak registrert" in listed.text
    assert SECRET not in listed.text

    refused = await portal.post(
        "/webhooks/ny",
        data={"csrf_token": csrf, "url": "https://10.0.0.1/x", "event_types": "case.registered"},
        headers=headers,
    )
    assert refused.status_code == 400
    assert "Adressen peker til et internt eller privat nett" in refused.text
    assert "address-forbidden" not in refused.text

    created = await portal.post(
        "/webhooks/ny",
        data={
            "csrf_token": csrf,
            "url": "https://erp.example.no/new",
            "event_types": ["payment.received", "not.offered"],
        },
        headers=headers,
    )
    assert created.status_code == 200, created.text
    assert SECRET in created.text
    assert calls[-1] == (
        "create",
        {
            "url": "https://erp.example.no/new",
            "description": "",
            "event_types": ["payment.received"],
        },
        True,
    )

    nothing = await portal.post("/webhooks/ny", data={"csrf_token": csrf}, headers=headers)
    assert nothing.status_code == 400
    assert "Velg minst én hendelse." in nothing.text


async def test_endpoint_page_log_disable_rotate_and_redeliver(
    portal: httpx.AsyncClient, signer: TestSigner, calls: list[Any]
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR_ADMIN)
    csrf = headers.pop("x-csrf")
    base = f"/webhooks/{ENDPOINT_ID}"

    shown = await portal.get(base, headers=headers)
    assert shown.status_code == 200, shown.text
    assert MESSAGE_ID in shown.text
    assert "Feilsvar" in shown.text  # outcome http-error
    assert "Aktiver" in shown.text

    enabled = await portal.post(base + "/aktiver", data={"csrf_token": csrf}, headers=headers)
    assert enabled.status_code == 303
    assert calls[-1] == ("patch", {"enabled": True})

    rotated = await portal.post(
        base + "/ny-hemmelighet", data={"csrf_token": csrf}, headers=headers
    )
    assert rotated.status_code == 200
    assert SECRET in rotated.text
    assert calls[-1] == ("rotate",)

    one = await portal.post(
        base + "/send-igjen", data={"csrf_token": csrf, "message_id": MESSAGE_ID}, headers=headers
    )
    assert one.status_code == 200
    assert "3 hendelse(r) lagt i kø" in one.text
    assert calls[-1] == ("redeliver", {"message_id": MESSAGE_ID})

    period = await portal.post(
        base + "/send-igjen",
        data={"csrf_token": csrf, "since": "2026-12-06T10:00", "until": "2026-07-01T00:00"},
        headers=headers,
    )
    assert period.status_code == 200
    assert calls[-1] == (
        "redeliver",
        {"since": "2026-12-06T10:00:00+01:00", "until": "2026-07-01T00:00:00+02:00"},
    )

    missing = await portal.post(
        base + "/send-igjen", data={"csrf_token": csrf, "since": "i går"}, headers=headers
    )
    assert missing.status_code == 400
    assert "Skriv inn dato og klokkeslett." in missing.text

    unknown = await portal.get(f"/webhooks/{uuid.uuid4()}", headers=headers)
    assert unknown.status_code == 404


async def test_only_creditor_admins_reach_the_page(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    headers = await _headers(portal, signer, Roles.CREDITOR)
    headers.pop("x-csrf")
    page = await portal.get("/webhooks", headers=headers)
    assert page.status_code == 403
