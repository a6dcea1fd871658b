"""Hostile input through the gateway and the portal: a field error, never a 500 or 502.

Issue 18 (finding 4): ``principal_min_ore=10^30``, a NUL in ``creditor_reference``, in
``debtor``, in a portal search and in a note body each gave a 500 (the portal a 502), and
right after three of them an ordinary request got a 502. Now the API names the field
(422), the portal shows the field's error on its page, and the next request is answered.
"""

from __future__ import annotations

import re

import httpx
import pytest

from .cases_support import a_case, register
from .identity import Login, SignedIn, sign_in

pytestmark = pytest.mark.e2e

CREDITOR_EMAIL = "kari@nordlys.example"
AT, CSRF = "__Host-ic_at", "__Host-ic_csrf"
NOT_ALLOWED = "Inneholder et tegn som ikke er tillatt"


@pytest.fixture(scope="module")
async def kari(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[CREDITOR_EMAIL])


async def portal_headers(gateway: httpx.AsyncClient, who: SignedIn) -> tuple[dict[str, str], str]:
    """Headers of a browser signed in to the portal as ``who``, and its CSRF token."""
    page = await gateway.get("/logg-inn")
    match = re.search(rf"{CSRF}=([^;]+)", page.headers.get("set-cookie", ""))
    assert match, page.headers
    csrf = match.group(1)
    await who.headers()  # a fresh access token
    cookie = f"{AT}={who.access_token}; {CSRF}={csrf}"
    return {"cookie": cookie, "accept": "text/html"}, csrf


async def test_the_api_names_the_field_and_the_next_request_is_answered(
    gateway: httpx.AsyncClient, kari: SignedIn
) -> None:
    headers = await kari.headers()
    case = await register(gateway, kari, a_case())
    for params in (
        {"principal_min_ore": str(10**30)},
        {"creditor_reference": "REF\x00"},
        {"debtor": "Per\x00"},
    ):
        refused = await gateway.get("/api/v1/cases", params=params, headers=headers)
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["field"] == next(iter(params))
        ordinary = await gateway.get(f"/api/v1/cases/{case['case_id']}", headers=headers)
        assert ordinary.status_code == 200, ordinary.text
    note = await gateway.post(
        f"/api/v1/cases/{case['case_id']}/notes",
        json={"body": "Fødselsnummer 01019\x00012345"},
        headers=headers,
    )
    assert note.status_code == 422, note.text
    assert [(e["field"], e["code"]) for e in note.json()["errors"]] == [("body", "text_nul")]
    money = await gateway.post(
        "/api/v1/cases",
        json={**a_case(), "claims": [{**a_case()["claims"][0], "principal_ore": True}]},
        headers=headers,
    )
    assert money.status_code == 422, money.text
    assert {e["field"] for e in money.json()["errors"]} == {"claims.0.principal_ore"}


async def test_a_nul_in_the_portals_search_is_shown_by_the_field(
    gateway: httpx.AsyncClient, kari: SignedIn
) -> None:
    headers, _ = await portal_headers(gateway, kari)
    for field in ("q", "reference", "case_number"):
        page = await gateway.get("/saker", params={field: "Per\x00"}, headers=headers)
        assert page.status_code == 200, (field, page.status_code)
        assert NOT_ALLOWED in page.text, field


async def test_a_nul_in_a_note_is_shown_by_the_field_and_a_changed_key_is_no_crash(
    gateway: httpx.AsyncClient, kari: SignedIn
) -> None:
    case = await register(gateway, kari, a_case())
    headers, csrf = await portal_headers(gateway, kari)
    path = f"/saker/{case['case_id']}/notater"
    refused = await gateway.post(
        path, data={"csrf_token": csrf, "body": "Ring meg\x00"}, headers=headers
    )
    assert refused.status_code == 400, refused.status_code
    assert NOT_ALLOWED in refused.text
    written = await gateway.post(
        path,
        data={"csrf_token": csrf, "body": "Ring meg", "idempotency_key": "nøkkel\x00"},
        headers=headers,
    )
    assert written.status_code == 303, written.text


async def test_odd_paths_and_headers_are_pages_not_crashes(
    gateway: httpx.AsyncClient, kari: SignedIn
) -> None:
    headers, _ = await portal_headers(gateway, kari)
    for path in ("/saker/%00", "/saker/%ED%A0%80"):
        page = await gateway.get(path, headers=headers)
        assert page.status_code == 404, (path, page.status_code)
    odd_agent: dict[str, str | bytes] = {**headers, "user-agent": "Nettleser é".encode()}
    page = await gateway.get("/saker", headers=odd_agent)
    assert page.status_code == 200, page.status_code
