"""The settings page's «Varsle meg på e-post når nye dokumenter er klare» over HTTP,
against an identity stand-in: the box shows the saved choice, saving sends it (an unticked
box is not posted: off), and a form without the CSRF token changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, RunningServer, identity_app
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration

BOX = 'name="documents" value="1"'


def _identity(signer: TestSigner, saved: dict[str, Any]) -> FastAPI:
    app = identity_app(signer)

    @app.get("/api/v1/auth/me")
    async def me() -> Any:
        return {
            "full_name": "Kari Nordmann",
            "email": "kari@nordlys.example",
            "roles": ["creditor"],
            "recovery_codes_left": 10,
        }

    @app.get("/api/v1/auth/sessions")
    async def sessions() -> Any:
        return []

    @app.get("/api/v1/auth/me/notifications")
    async def notifications() -> Any:
        return {"documents": saved["documents"]}

    @app.put("/api/v1/auth/me/notifications")
    async def set_notifications(request: Request) -> Any:
        saved["documents"] = (await request.json())["documents"]
        saved["puts"] += 1
        return {"documents": saved["documents"]}

    return app


@pytest.fixture(scope="module")
def saved() -> dict[str, Any]:
    return {"documents": True, "puts": 0}


@pytest.fixture(scope="module")
async def portal(
    start_gateway: GatewayFactory, signer: TestSigner, saved: dict[str, Any]
) -> AsyncIterator[httpx.AsyncClient]:
    identity = await RunningServer(_identity(signer, saved)).start()
    yield await start_gateway(
        signed_in=False,
        auth_url=identity.url,
        jwks_url=identity.url + "/api/v1/auth/.well-known/jwks.json",
    )
    await identity.stop()


def _checked(page: httpx.Response) -> bool:
    (line,) = [x for x in page.text.splitlines() if BOX in x]
    return " checked" in line


async def test_the_documents_notice_is_shown_and_saved(
    portal: httpx.AsyncClient, signer: TestSigner, saved: dict[str, Any]
) -> None:
    csrf = set_cookies(await portal.get("/logg-inn"))[CSRF].value
    token = signer.mint(
        organisation_id=uuid.uuid4(), roles=[Roles.CREDITOR], session_id=uuid.uuid4(), ttl=3600
    )
    headers = {**cookie_header({CSRF: csrf, AT: token}), "accept": "text/html"}

    page = await portal.get("/innstillinger", headers=headers)
    assert page.status_code == 200, page.text
    assert "Varsle meg på e-post når nye dokumenter er klare" in page.text
    assert _checked(page)

    refused = await portal.post("/innstillinger/varsler", data={}, headers=headers)
    assert refused.status_code == 403
    assert saved["puts"] == 0

    off = await portal.post("/innstillinger/varsler", data={"csrf_token": csrf}, headers=headers)
    assert (off.status_code, off.headers["location"]) == (303, "/innstillinger?melding=varsler")
    assert saved == {"documents": False, "puts": 1}
    page = await portal.get("/innstillinger?melding=varsler", headers=headers)
    assert not _checked(page)
    assert "Varslene er lagret." in page.text

    on = await portal.post(
        "/innstillinger/varsler", data={"csrf_token": csrf, "documents": "1"}, headers=headers
    )
    assert on.status_code == 303
    assert saved == {"documents": True, "puts": 2}
    assert _checked(await portal.get("/innstillinger", headers=headers))
