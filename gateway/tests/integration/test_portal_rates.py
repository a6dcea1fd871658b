"""The rate tables' page over HTTP: agency administrators only, and a rate id in the path
that is no id is a not-found page."""

from __future__ import annotations

import uuid

import httpx
import pytest
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def portal(start_gateway: GatewayFactory) -> httpx.AsyncClient:
    return await start_gateway(signed_in=False)


async def _csrf(portal: httpx.AsyncClient) -> str:
    page = await portal.get("/logg-inn")
    assert page.status_code == 200
    return set_cookies(page)[CSRF].value


def _headers(signer: TestSigner, csrf: str, *roles: str) -> dict[str, str]:
    token = signer.mint(
        organisation_id=uuid.uuid4(), roles=list(roles), session_id=uuid.uuid4(), ttl=3600
    )
    return {**cookie_header({CSRF: csrf, AT: token}), "accept": "text/html"}


async def test_only_agency_administrators_have_the_rates_page(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    csrf = await _csrf(portal)
    for roles in ([Roles.CASE_HANDLER], [Roles.CREDITOR_ADMIN]):
        headers = _headers(signer, csrf, *roles)
        page = await portal.get("/satser", headers=headers)
        assert page.status_code == 403, roles
        assert "Ingen tilgang" in page.text
        for path in ("/satser", "/satser/1/bekreftelse"):
            sent = await portal.post(
                path,
                data={"csrf_token": csrf, "kind": "x_y", "source_url": "https://x.no"},
                headers=headers,
            )
            assert sent.status_code == 403, (roles, path)


async def test_a_malformed_rate_id_is_a_not_found_page(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, Roles.AGENCY_ADMIN, Roles.CASE_HANDLER)
    for rate_id in ("ikke-en-id", "0", "-1", "1.5", str(2**63), "%C2%B2"):
        sent = await portal.post(
            f"/satser/{rate_id}/bekreftelse",
            data={"csrf_token": csrf, "source_url": "https://lovdata.no/x"},
            headers=headers,
        )
        assert sent.status_code == 404, rate_id
        assert "Fant ikke siden" in sent.text, rate_id


async def test_a_confirmation_without_the_forms_token_is_refused(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, Roles.AGENCY_ADMIN)
    sent = await portal.post(
        "/satser/1/bekreftelse", data={"source_url": "https://lovdata.no/x"}, headers=headers
    )
    assert sent.status_code == 403
