"""The rate tables' page over HTTP: read by every signed-in role with human names (no
ledger key on the page), edited by agency administrators only; a rate id in the path that
is no id is a not-found page. The public front page shows «Satser for <år>» from the
ledger, and the page without them when the ledger is down."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from gateway.portal.formatting import today_oslo
from servicekit.http import RequestContextMiddleware
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, RunningServer
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration

NBSP = "\u00a0"
LOVDATA = "https://lovdata.no/dokument/SF/forskrift/2002-12-13-1641"
DOMSTOL = "https://www.domstol.no/sivil-sak/sakskostnader/rettsgebyr/"


def _rate(
    id_: int,
    kind: str,
    day: str,
    value: str,
    unit: str,
    *,
    parameter: str = "",
    source: str | None = LOVDATA,
    status: str = "confirmed",
) -> dict[str, Any]:
    return {"id": id_, "kind": kind, "effective_from": day, "parameter": parameter,
            "value": value, "unit": unit, "source_url": source, "status": status}  # fmt: skip


ROWS = [
    _rate(1, "inkassosats", "2017-01-01", "700.000000", "NOK"),
    _rate(2, "inkassosats", "2026-01-01", "750.000000", "NOK", source=None, status="unconfirmed"),
    _rate(3, "rettsgebyr", "2024-01-01", "1277.000000", "NOK", source=DOMSTOL),
    _rate(4, "rettsgebyr", "2025-01-01", "1314.000000", "NOK", source=DOMSTOL),
    _rate(5, "rettsgebyr_multiple", "2016-01-01", "1.000000", "multiple",
          parameter="legal_step_forliksklage"),
    _rate(6, "salaer_lett", "2020-10-01", "0.250000", "multiple", parameter="500"),
    _rate(7, "salaer_lett", "2020-10-01", "7.200000", "multiple", parameter="over"),
    _rate(8, "salaer_lett", "2020-10-01", "3.600000", "multiple", parameter="250000"),
    _rate(9, "forsinkelsesrente", "2025-07-01", "12.250000", "percent_pa"),
    _rate(10, "mva", "2016-01-01", "25.000000", "percent"),
]  # fmt: skip
KEYS = {"rettsgebyr_multiple", "legal_step_forliksklage", "salaer_lett", "percent_pa"}
"""The ledger's keys that are no word («inkassosats» is one: the name is «Inkassosats»)."""


def _ledger() -> FastAPI:
    """The ledger's two rate reads, as a stand-in (the in-force list: what the ledger
    would give for these rows today, worked by hand)."""
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware, service="fake-ledger")

    @app.get("/api/v1/ledger/rates")
    async def rates() -> list[dict[str, Any]]:
        return ROWS

    @app.get("/api/v1/ledger/rates/in-force")
    async def in_force() -> list[dict[str, Any]]:
        public = ("kind", "parameter", "effective_from", "value", "unit", "source_url")
        return [{k: ROWS[i][k] for k in public} for i in (0, 3, 4, 8, 5, 7, 6, 9)]

    return app


@pytest.fixture(scope="module")
async def ledger() -> AsyncIterator[RunningServer]:
    server = await RunningServer(_ledger()).start()
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def with_rates(start_gateway: GatewayFactory, ledger: RunningServer) -> httpx.AsyncClient:
    return await start_gateway(signed_in=False, ledger_url=ledger.url)


def _visible(page: str) -> str:
    """The text a person reads: the body without tags, attributes, or the hidden."""
    body = page.split("<body", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _no_keys(page: str) -> None:
    text = _visible(page)
    words = set(re.findall(r"[a-z_]+", text))
    assert not (words & KEYS), words & KEYS
    cells = re.findall(r'<td data-label="(?:Slag|Kind)">([^<]*)</td>', page)
    assert cells
    assert not {c for c in cells if c == c.lower()}, cells  # a name, not a key


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


@pytest.mark.parametrize("roles", [[Roles.CREDITOR], [Roles.CREDITOR_ADMIN], [Roles.CASE_HANDLER]])
async def test_every_role_reads_the_rates_by_name_without_the_forms(
    with_rates: httpx.AsyncClient, signer: TestSigner, roles: list[str]
) -> None:
    csrf = await _csrf(with_rates)
    page = await with_rates.get("/satser", headers=_headers(signer, csrf, *roles))
    assert page.status_code == 200, page.text
    text = _visible(page.text)
    _no_keys(page.text)
    assert f"Satser som gjelder i dag, {today_oslo():%d.%m.%Y}" in text
    today_table = page.text.split('id="satser-i-dag"', 1)[1].split("</table>", 1)[0]
    assert "Inkassosats" in today_table
    assert f"kr{NBSP}700" in today_table
    assert f"kr{NBSP}750" not in today_table  # not confirmed: not in force
    assert f"kr{NBSP}1{NBSP}314" in today_table
    assert f"kr{NBSP}1{NBSP}277" not in today_table  # 2024's, replaced in 2025
    assert "Forliksklage" in today_table
    assert "Rettslige skritt (ganger R)" in today_table
    assert f"Krav til og med kr{NBSP}500" in today_table
    assert f"Krav over kr{NBSP}250{NBSP}000" in today_table
    assert f'href="{DOMSTOL}"' in today_table
    history = page.text.split('id="satser"', 1)[1]
    assert f"kr{NBSP}1{NBSP}277" in history
    assert "Ikke bekreftet" in history
    assert "Salær, lett inkasso" in text
    assert 'id="satsskjema"' not in page.text
    assert 'id="ubekreftede-satser"' not in page.text
    assert 'href="/satser"' in page.text  # in the menu


async def test_the_rates_page_in_english(with_rates: httpx.AsyncClient, signer: TestSigner) -> None:
    csrf = await _csrf(with_rates)
    headers = _headers(signer, csrf, Roles.CREDITOR)
    headers["Cookie"] += "; ic_lang=en"
    page = await with_rates.get("/satser", headers=headers)
    assert page.status_code == 200
    _no_keys(page.text)
    text = _visible(page.text)
    assert "Rates in force today" in text
    assert "Collection fee, simple collection" in text
    assert "Claim to the conciliation board" in text
    assert f"Claims up to and including NOK{NBSP}500" in text


async def test_an_agency_administrator_has_the_forms_and_no_key_as_text(
    with_rates: httpx.AsyncClient, signer: TestSigner
) -> None:
    csrf = await _csrf(with_rates)
    page = await with_rates.get("/satser", headers=_headers(signer, csrf, Roles.AGENCY_ADMIN))
    assert page.status_code == 200
    _no_keys(page.text)
    assert 'id="satsskjema"' in page.text
    waiting = page.text.split('id="ubekreftede-satser"', 1)[1].split("</section>", 1)[0]
    assert 'id="sats-2"' in waiting
    assert "Kilde for Inkassosats fra 01.01.2026" in waiting


async def test_the_front_page_shows_the_rates_for_the_year_with_their_sources(
    with_rates: httpx.AsyncClient,
) -> None:
    for lang, title, name in (
        ("nb", "Satser for", "Salær, lett inkasso"),
        ("en", "Rates for", "Collection fee, simple collection"),
    ):
        page = await with_rates.get("/", headers={"cookie": f"ic_lang={lang}"})
        assert page.status_code == 200
        _no_keys(page.text)
        text = _visible(page.text)
        assert f"{title} {today_oslo().year}" in text
        assert name in text
        table = page.text.split('id="satser-forside"', 1)[1].split("</table>", 1)[0]
        assert f'href="{LOVDATA}"' in table
        assert f'href="{DOMSTOL}"' in table
        assert ("12,25" if lang == "nb" else "12.25") in table
        assert "Merverdiavgift" not in table
        assert "Value added tax" not in table
        assert "Forliksklage" not in table
        assert "conciliation" not in table


async def test_the_front_page_without_the_ledger_is_the_front_page(
    start_gateway: GatewayFactory, refused_url: str
) -> None:
    portal = await start_gateway(signed_in=False, ledger_url=refused_url)
    page = await portal.get("/")
    assert page.status_code == 200
    assert "Logg inn" in page.text
    assert "Satser for" not in page.text
    assert 'id="satser-forside"' not in page.text


async def test_only_agency_administrators_change_the_rates(
    portal: httpx.AsyncClient, signer: TestSigner
) -> None:
    csrf = await _csrf(portal)
    for roles in ([Roles.CASE_HANDLER], [Roles.CREDITOR_ADMIN]):
        headers = _headers(signer, csrf, *roles)
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
