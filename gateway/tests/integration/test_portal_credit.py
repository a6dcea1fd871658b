"""The credit report pages over HTTP, in front of a credit stand-in that answers like the
credit service (products with the caller's price, orders by Idempotency-Key, its problem
types): who sees them, every form error at once, the price before buying, one purchase per
key, a changed price asked again, the service's problems in the page's words (never its
sentences), the report as a page, a case's debtor filled in, and the agency's prices and
spend."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from servicekit.problems import problem
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner

from .support import GatewayFactory, Upstreams
from .test_portal_cookies import AT, CSRF, cookie_header, set_cookies

pytestmark = pytest.mark.integration

CREDITOR = uuid.UUID("5f1d7a3e-0c55-4d7e-9a61-3b2f0e8c1d01")
CASE_ID = uuid.UUID("7a0c1e55-2b7d-4c8e-8f10-6d5e4c3b2a01")
SERVICE_SENTENCE = "Nothing was bought and nothing is charged."
REPORT = {
    "kind": "company",
    "as_of": "2026-11-30",
    "subject_name": "Sunn Handel AS",
    "subject_status": "active",
    "score": 95,
    "score_scale": "0-100",
    "risk_class": "AAA",
    "rating_meaning": "Highest creditworthiness",
    "credit_limit_ore": 50_000_000,
    "credit_block": False,
    "remarks": [
        {
            "kind": "inkasso",
            "amount_ore": 1_800_000,
            "creditor": "Leverandør Syd AS",
            "registered_on": "2026-02-11",
            "reference": "R-2026-0211",
            "source": None,
        }
    ],
    "address": {"street": "Testveien 1", "postal_code": "0150", "city": "Oslo", "country": "NO"},
    "company": {
        "organisation_number": "999100007",
        "organisation_form": "AS",
        "registered_on": "2010-05-01",
        "nace_code": "47.190",
        "share_capital_ore": 3_000_000,
        "roles": [{"role": "ceo", "name": "Synne Syntetisk", "birth_year": 1971}],
        "key_figures": [
            {
                "year": 2025,
                "revenue_ore": 4_200_000_000,
                "operating_result_ore": 510_000_000,
                "equity_ore": 900_000_000,
                "total_assets_ore": 2_000_000_000,
            }
        ],
        "owner_name": None,
        "foreign_parent": None,
    },
    "birth_date": None,
    "deceased_on": None,
    "flags": [],
    "remarks_count": 1,
    "remarks_total_ore": 1_800_000,
    "copy_letter_expected": False,
}


@dataclass
class CreditStandIn:
    """What the credit stand-in was sent, and what it answers next."""

    unit_price_ore: int = 12_500
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Order by Idempotency-Key (one order per key, like the service)."""
    bodies: list[dict[str, Any]] = field(default_factory=list)
    refuse_with: str | None = None
    """A problem type the next order is refused with."""
    price_lists: list[dict[str, Any]] = field(default_factory=list)
    spend_asked: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    agreement: dict[str, Any] = field(
        default_factory=lambda: {"products": None, "purposes": None, "updated_at": None}
    )

    def price(self) -> dict[str, Any]:
        vat = self.unit_price_ore // 4
        return {
            "unit_price_ore": self.unit_price_ore,
            "vat_ore": vat,
            "total_ore": self.unit_price_ore + vat,
            "vat_code": "3",
            "price_list_id": str(uuid.uuid4()),
            "creditor_list": False,
        }


def _order(body: dict[str, Any], price: dict[str, Any]) -> dict[str, Any]:
    subject = body["subject"]
    return {
        "id": str(uuid.uuid4()),
        "status": "completed",
        "failure_code": None,
        "product_code": body["product_code"],
        "subject": {
            "kind": subject["kind"],
            "display": subject.get("organisation_number")
            or subject.get("national_id", "")[:6] + "*****",
        },
        "purpose": body["purpose"],
        "price": {k: price[k] for k in ("unit_price_ore", "vat_ore", "total_ore", "vat_code")},
        "creditor_id": str(CREDITOR),
        "ordered_by": str(uuid.uuid4()),
        "created_at": "2026-12-01T10:15:00+00:00",
        "settled_at": "2026-12-01T10:15:01+00:00",
        "purchased_on": "2026-12-01",
        "reused_from": None,
        "allowed_purposes": None,
        "report": REPORT,
    }


REFUSALS: dict[str, tuple[int, dict[str, Any], list[dict[str, str]] | None]] = {
    "subject-blocked": (
        423,
        {"order_status": "failed", "allowed_purposes": ["CASE_ASSESSMENT"]},
        None,
    ),
    "bureau-unavailable": (503, {"order_status": "failed"}, None),
    "bureau-timeout": (504, {"order_status": "unknown"}, None),
    "no-match": (
        422,
        {"order_status": "failed"},
        [{"field": "subject.organisation_number", "reason": "no-match"}],
    ),
    "validation-error": (
        422,
        {},
        [{"field": "subject.organisation_number", "reason": "organisation-number-invalid"}],
    ),
    "outside-agreement": (
        422,
        {},
        [{"field": "product_code", "reason": "product-not-in-agreement"}],
    ),
}


def install_credit(app: FastAPI, state: CreditStandIn) -> None:
    """The credit service's routes the pages use, on the ``credit`` stand-in."""

    @app.get("/api/v1/credit/products")
    async def products() -> list[dict[str, Any]]:
        return [
            {
                "code": "COMPANY_STANDARD",
                "subject_kind": "company",
                "name_nb": "Kredittopplysning på foretak",
                "name_en": "Company credit report",
                "sections": ["rating"],
                "copy_letter": False,
                "price": state.price(),
            },
            {
                "code": "PERSON_STANDARD",
                "subject_kind": "person",
                "name_nb": "Kredittopplysning på privatperson",
                "name_en": "Person credit report",
                "sections": ["score"],
                "copy_letter": True,
                "price": state.price(),
            },
        ]

    @app.post("/api/v1/credit/orders")
    async def place(request: Request) -> Any:
        body = await request.json()
        key = request.headers.get("idempotency-key", "")
        state.bodies.append({**body, "_key": key})
        if body["accepted_price_ore"] != state.unit_price_ore:
            price = state.price()
            return problem(
                409,
                "price-changed",
                "The price has changed",
                "The price changed since it was shown; look at the new price and order again.",
                extensions={k: price[k] for k in ("unit_price_ore", "vat_ore", "vat_code")},
            )
        if state.refuse_with:
            status, extensions, errors = REFUSALS[state.refuse_with]
            if "order_status" in extensions:
                extensions = {**extensions, "order_id": str(uuid.uuid4())}
            return problem(
                status,
                state.refuse_with,
                "Refused",
                SERVICE_SENTENCE,
                errors=errors,
                extensions=extensions,
            )
        if key not in state.orders:
            state.orders[key] = _order(body, state.price())
        order = state.orders[key]
        return JSONResponse(order, status_code=202 if order["status"] == "pending" else 201)

    @app.get("/api/v1/credit/orders")
    async def history() -> dict[str, Any]:
        return {"orders": list(state.orders.values())}

    @app.get("/api/v1/credit/orders/{order_id}/pdf")
    async def pdf(order_id: uuid.UUID) -> Any:
        for order in state.orders.values():
            if order["id"] == str(order_id):
                return Response(
                    b"%PDF-1.7 stand-in",
                    media_type="application/pdf",
                    headers={"content-disposition": 'attachment; filename="k.pdf"'},
                )
        return problem(404, "not-found", "Not found", "No such order.")

    @app.post("/api/v1/credit/company-searches")
    async def search(request: Request) -> Any:
        name = (await request.json())["name"]
        state.searches.append(name)
        if name == "Byrået nede":
            return problem(503, "bureau-unavailable", "Unavailable", SERVICE_SENTENCE)
        found = [
            {
                "organisation_number": "999100007",
                "name": "Fjellvind Handel AS",
                "organisation_form": "AS",
                "status": "ACTIVE",
                "city": "Oslo",
            },
            {
                "organisation_number": "999100058",
                "name": "Kollaps Transport AS",
                "organisation_form": "AS",
                "status": "BANKRUPT",
                "city": "Stavanger",
            },
        ]
        return {"candidates": [c for c in found if name.casefold() in c["name"].casefold()]}

    @app.get("/api/v1/credit/spend/creditors")
    async def spend_all(request: Request) -> dict[str, Any]:
        state.spend_asked.append("all")
        count = len(state.orders)
        return {
            "month": request.query_params.get("month", "2026-12"),
            "creditors": [
                {
                    "creditor_id": str(CREDITOR),
                    "name": "Nordlys Kraft AS",
                    "orders": count,
                    "price_ore": count * 12_500,
                    "vat_ore": count * 3_125,
                    "total_ore": count * 15_625,
                },
                {
                    "creditor_id": str(uuid.uuid4()),
                    "name": "Fjord Fisk AS",
                    "orders": 0,
                    "price_ore": 0,
                    "vat_ore": 0,
                    "total_ore": 0,
                },
            ],
        }

    @app.get(f"/api/v1/credit/creditors/{CREDITOR}")
    async def creditor() -> dict[str, Any]:
        return {
            "organisation_id": str(CREDITOR),
            "name": "Nordlys Kraft AS",
            "active": True,
            "organisation_number": "999100007",
        }

    @app.get(f"/api/v1/credit/creditors/{CREDITOR}/agreement")
    async def agreement() -> dict[str, Any]:
        return {"creditor_id": str(CREDITOR), **state.agreement}

    @app.put(f"/api/v1/credit/creditors/{CREDITOR}/agreement")
    async def set_agreement(request: Request) -> Any:
        body = await request.json()
        if body["purposes"] and "CURIOSITY" in body["purposes"]:
            return problem(
                422,
                "validation-error",
                "Invalid request",
                "purposes: unknown-purpose",
                errors=[{"field": "purposes", "reason": "unknown-purpose"}],
            )
        state.agreement = {**body, "updated_at": "2026-12-06T18:00:00+00:00"}
        return {"creditor_id": str(CREDITOR), **state.agreement}

    @app.get("/api/v1/credit/orders/{order_id}")
    async def one(order_id: uuid.UUID) -> Any:
        for order in state.orders.values():
            if order["id"] == str(order_id):
                return order
        return problem(404, "not-found", "Not found", "No such order.")

    @app.get("/api/v1/credit/spend")
    async def spend(request: Request) -> dict[str, Any]:
        creditor = request.query_params.get("creditor_id", str(CREDITOR))
        state.spend_asked.append(creditor)
        mine = creditor == str(CREDITOR)
        count = len(state.orders) if mine else 0
        return {
            "creditor_id": creditor,
            "month": request.query_params.get("month", "2026-12"),
            "orders": count,
            "price_ore": count * 12_500,
            "vat_ore": count * 3_125,
            "total_ore": count * 15_625,
        }

    @app.get("/api/v1/credit/specification")
    async def specification(request: Request) -> dict[str, Any]:
        lines = [
            {
                "order_id": o["id"],
                "purchased_on": o["purchased_on"],
                "subject": o["subject"]["display"],
                "product_code": o["product_code"],
                "purpose_code": o["purpose"]["code"],
                "case_id": o["purpose"]["case_id"],
                "ordered_by": o["ordered_by"],
                "price_ore": o["price"]["unit_price_ore"],
                "vat_ore": o["price"]["vat_ore"],
            }
            for o in state.orders.values()
            if o["status"] == "completed"
        ]
        return {
            "creditor_id": str(CREDITOR),
            "month": request.query_params.get("month"),
            "orders": len(lines),
            "price_ore": sum(line["price_ore"] for line in lines),
            "vat_ore": sum(line["vat_ore"] for line in lines),
            "total_ore": sum(line["price_ore"] + line["vat_ore"] for line in lines),
            "lines": lines,
        }

    @app.get("/api/v1/credit/price-lists")
    async def price_lists() -> list[dict[str, Any]]:
        return state.price_lists

    @app.post("/api/v1/credit/price-lists")
    async def add_price_list(request: Request) -> Any:
        body = await request.json()
        if body["items"][0]["unit_price_ore"] > 1_000_000:
            return problem(
                422,
                "validation-error",
                "Invalid request",
                "items.0.unit_price_ore: too much",
                errors=[{"field": "items[0].unit_price_ore", "reason": "price-not-positive"}],
            )
        made = {**body, "id": str(uuid.uuid4()), "valid_to": None}
        made["items"] = [{**i, "vat_ore": i["unit_price_ore"] // 4} for i in body["items"]]
        state.price_lists.append(made)
        return JSONResponse(made, status_code=201)


def install_case(app: FastAPI) -> None:
    """A case with a business debtor, on the ``cases`` stand-in."""

    @app.get(f"/api/v1/cases/{CASE_ID}")
    async def case() -> dict[str, Any]:
        return {
            "case_id": str(CASE_ID),
            "case_number": "IC-2026-000042",
            "debtor": {
                "kind": "business",
                "name": "Sunn Handel AS",
                "organisation_number": "999100007",
                "national_id_masked": None,
            },
        }


def install_organisations(app: FastAPI) -> None:
    @app.get("/api/v1/auth/organisations")
    async def organisations() -> list[dict[str, Any]]:
        return [
            {"id": str(CREDITOR), "name": "Nordlys Kraft AS", "kind": "creditor"},
            {"id": str(uuid.uuid4()), "name": "Fjord Fisk AS", "kind": "creditor"},
        ]


@pytest.fixture(scope="module")
def credit(upstreams: Upstreams) -> CreditStandIn:
    app = upstreams.apps["credit"]
    if not hasattr(app.state, "credit_portal"):
        app.state.credit_portal = CreditStandIn()
        install_credit(app, app.state.credit_portal)
        install_case(upstreams.apps["cases"])
        install_organisations(upstreams.apps["auth"])
    state: CreditStandIn = app.state.credit_portal
    return state


@pytest.fixture(autouse=True)
def fresh(credit: CreditStandIn) -> None:
    credit.unit_price_ore = 12_500
    credit.refuse_with = None
    credit.bodies.clear()
    credit.spend_asked.clear()


@pytest.fixture(scope="module")
async def portal(start_gateway: GatewayFactory) -> httpx.AsyncClient:
    return await start_gateway(signed_in=False)


async def _csrf(portal: httpx.AsyncClient) -> str:
    page = await portal.get("/logg-inn")
    return set_cookies(page)[CSRF].value


def _headers(
    signer: TestSigner, csrf: str, *roles: str, org: uuid.UUID = CREDITOR, **extra: str
) -> dict[str, str]:
    token = signer.mint(organisation_id=org, roles=list(roles), session_id=uuid.uuid4(), ttl=3600)
    return {**cookie_header({CSRF: csrf, AT: token}, **extra), "accept": "text/html"}


ORDERER = (Roles.CREDITOR, Roles.CREDIT_ORDERER)
GOOD = {
    "subject.kind": "company",
    "subject.organisation_number": "999 100 007",
    "product_code": "COMPANY_STANDARD",
    "purpose.code": "CASE_ASSESSMENT",
    "purpose.text": "Vurdering av inndriving i saken",
    "purpose.case_id": "IC-2026-000042",
}


GOOD_BODY: dict[str, Any] = {
    "product_code": "COMPANY_STANDARD",
    "subject": {"kind": "company", "organisation_number": "999100007"},
    "purpose": {
        "code": "CASE_ASSESSMENT",
        "text": "Vurdering av inndriving i saken",
        "case_id": "IC-2026-000042",
        "relationship_declared": False,
    },
}


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert match, name
    return match[1]


async def test_only_orderers_and_creditor_admins_have_the_credit_pages(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    plain = _headers(signer, csrf, Roles.CREDITOR)
    assert (await portal.get("/kreditt", headers=plain)).status_code == 403
    assert (await portal.get("/kreditt/bestill", headers=plain)).status_code == 403
    admin = _headers(signer, csrf, Roles.CREDITOR_ADMIN)
    assert (await portal.get("/kreditt", headers=admin)).status_code == 200
    assert (await portal.get("/kreditt/bestill", headers=admin)).status_code == 403
    home = await portal.get("/kreditt", headers=_headers(signer, csrf, *ORDERER))
    assert home.status_code == 200
    assert 'href="/kreditt/bestill"' in home.text
    assert '<a href="/kreditt" aria-current="page">Kredittopplysninger</a>' in home.text
    assert 'href="/kreditt/priser"' not in home.text
    for roles in ([Roles.CREDITOR], [Roles.CREDITOR_ADMIN], list(ORDERER)):
        answer = await portal.get("/kreditt/priser", headers=_headers(signer, csrf, *roles))
        assert answer.status_code == 403, roles


async def test_every_form_error_is_shown_at_once_and_nothing_is_asked(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    sent = await portal.post(
        "/kreditt/bestill",
        data={
            "csrf_token": csrf,
            "steg": "pris",
            "subject.kind": "person",
            "subject.national_id": "0101",
            "product_code": "COMPANY_STANDARD",
            "purpose.code": "CASE_ASSESSMENT",
            "purpose.text": "kort",
        },
        headers=_headers(signer, csrf, *ORDERER),
    )
    assert sent.status_code == 400
    assert 'id="feiloppsummering"' in sent.text
    for text in (
        "Et fødselsnummer eller D-nummer har 11 sifre",
        "Produktet gjelder ikke denne typen oppslag",
        "Skriv hvorfor opplysningen trengs (minst 10 tegn)",
        "Oppgi saken bestillingen gjelder",
    ):
        assert text in sent.text
    assert 'aria-invalid="true"' in sent.text
    assert credit.bodies == []


async def test_the_price_is_shown_and_a_double_click_buys_once(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, *ORDERER)
    shown = await portal.post(
        "/kreditt/bestill", data={"csrf_token": csrf, "steg": "pris", **GOOD}, headers=headers
    )
    assert shown.status_code == 200
    assert "kr\u00a0156,25" in shown.text  # 125,00 + 25 % VAT
    assert credit.bodies == []  # seeing the price buys nothing
    key = _hidden(shown.text, "idempotency_key")
    assert _hidden(shown.text, "accepted_price_ore") == "12500"
    buy = {
        "csrf_token": csrf,
        "steg": "kjop",
        "idempotency_key": key,
        "accepted_price_ore": "12500",
        **GOOD,
    }
    first = await portal.post("/kreditt/bestill", data=buy, headers=headers)
    second = await portal.post("/kreditt/bestill", data=buy, headers=headers)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert [b["_key"] for b in credit.bodies] == [key, key]
    assert (
        len({o["id"] for o in credit.orders.values() if o["id"] in first.headers["location"]}) == 1
    )
    body = credit.bodies[0]
    assert body["accepted_price_ore"] == 12500
    assert body["subject"] == {"kind": "company", "organisation_number": "999100007"}
    assert body["purpose"]["case_id"] == "IC-2026-000042"

    report = await portal.get(first.headers["location"], headers=headers)
    assert report.status_code == 200
    for text in (
        "Kredittopplysningen er kjøpt.",
        "AAA",
        "Høyeste kredittverdighet",
        "Opplysningene gjelder per 30.11.2026.",
        "Leverandør Syd AS",
        "Inkasso",
        "Daglig leder",
        "kr\u00a042\u00a0000\u00a0000,00",
    ):
        assert text in report.text, text
    assert "Highest creditworthiness" not in report.text  # the bureau's words, not ours
    history = await portal.get("/kreditt", headers=headers)
    assert first.headers["location"].split("?")[0] in history.text


async def test_a_changed_price_is_shown_and_asked_again(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, *ORDERER)
    credit.unit_price_ore = 15_000
    buy = {
        "csrf_token": csrf,
        "steg": "kjop",
        "idempotency_key": str(uuid.uuid4()),
        "accepted_price_ore": "12500",
        **GOOD,
    }
    again = await portal.post("/kreditt/bestill", data=buy, headers=headers)
    assert again.status_code == 409
    assert "Prisen er endret siden den ble vist" in again.text
    assert "kr\u00a0187,50" in again.text
    assert _hidden(again.text, "accepted_price_ore") == "15000"
    assert _hidden(again.text, "idempotency_key") != buy["idempotency_key"]
    assert "look at the new price" not in again.text


@pytest.mark.parametrize(
    ("refusal", "status", "nb", "en"),
    [
        ("subject-blocked", 423, "Personen har kredittsperre", "The person has a credit block"),
        ("bureau-unavailable", 503, "svarer ikke nå", "is not answering now"),
        ("bureau-timeout", 504, "Bestillingen avklares med byrået", "settled with the bureau"),
        ("no-match", 422, "fant ingen med dette nummeret", "found no one with this number"),
        ("validation-error", 422, "Er ikke et gyldig organisasjonsnummer", "Is not a valid"),
        ("outside-agreement", 422, "ikke med i avtalen", "agreement with the agency"),
    ],
)
async def test_the_services_problems_are_told_in_the_pages_words(
    portal: httpx.AsyncClient,
    signer: TestSigner,
    credit: CreditStandIn,
    refusal: str,
    status: int,
    nb: str,
    en: str,
) -> None:
    csrf = await _csrf(portal)
    credit.refuse_with = refusal
    buy = {
        "csrf_token": csrf,
        "steg": "kjop",
        "idempotency_key": str(uuid.uuid4()),
        "accepted_price_ore": "12500",
        **GOOD,
    }
    for lang, text in (("nb", nb), ("en", en)):
        headers = _headers(signer, csrf, *ORDERER, ic_lang=lang)
        answer = await portal.post("/kreditt/bestill", data=buy, headers=headers)
        assert answer.status_code == status, lang
        assert text in answer.text, lang
        assert SERVICE_SENTENCE not in answer.text
        assert 'id="feiloppsummering"' in answer.text
        assert 'value="999 100 007"' in answer.text  # the form again, as typed
    if refusal == "subject-blocked":
        assert "Kredittsperren tillater bare" in answer.text or "allows only" in answer.text
    if refusal == "bureau-timeout":
        assert 'id="bestilling-i-tvil"' in answer.text


async def test_a_cases_debtor_and_number_fill_the_form_without_an_id_in_the_url(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, *ORDERER)
    form = await portal.get(f"/kreditt/bestill?sak={CASE_ID}", headers=headers)
    assert form.status_code == 200
    assert 'value="999100007"' in form.text
    assert 'value="IC-2026-000042"' in form.text
    assert "Fylt ut fra sak IC-2026-000042" in form.text
    missing = await portal.get(f"/kreditt/bestill?sak={uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
    malformed = await portal.get("/kreditt/bestill?sak=01017540072", headers=headers)
    assert malformed.status_code == 404


async def test_agency_admins_add_a_dated_price_and_see_spend_per_creditor(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, Roles.AGENCY_ADMIN, org=uuid.uuid4())
    prices = await portal.get("/kreditt/priser", headers=headers)
    assert prices.status_code == 200
    assert "Kredittopplysning på foretak" in prices.text
    assert '<a href="/kreditt/priser" aria-current="page">Kredittopplysninger</a>' in prices.text
    assert '<a href="/kreditt">' not in prices.text  # agency staff buy nothing
    key = _hidden(prices.text, "idempotency_key")
    wrong = await portal.post(
        "/kreditt/priser",
        data={
            "csrf_token": csrf,
            "idempotency_key": key,
            "creditor_id": "ikke-en-id",
            "product_code": "COMPANY_STANDARD",
            "valid_from": "31.02.2099",
            "price": "tolv",
            "vat_code": "9",
        },
        headers=headers,
    )
    assert wrong.status_code == 400
    for text in (
        "Velg en oppdragsgiver fra listen",
        "Skriv en dato som dd.mm.åååå",
        "Skriv beløpet i kroner",  # the same words for an amount as on every form
        "Velg en mva.-kode",
    ):
        assert text in wrong.text
    refused = await portal.post(
        "/kreditt/priser",
        data={
            "csrf_token": csrf,
            "idempotency_key": key,
            "creditor_id": str(CREDITOR),
            "product_code": "COMPANY_STANDARD",
            "valid_from": "01.01.2099",
            "price": "20 000,00",
            "vat_code": "3",
        },
        headers=headers,
    )
    assert refused.status_code == 400
    assert "Må være et beløp over null" in refused.text  # next to the price field
    assert 'id="f-price-error"' in refused.text
    added = await portal.post(
        "/kreditt/priser",
        data={
            "csrf_token": csrf,
            "idempotency_key": key,
            "creditor_id": str(CREDITOR),
            "product_code": "COMPANY_STANDARD",
            "valid_from": "01.01.2099",
            "price": "99,50",
            "vat_code": "3",
        },
        headers=headers,
    )
    assert added.status_code == 303
    made = credit.price_lists[-1]
    assert made["creditor_id"] == str(CREDITOR)
    assert made["valid_from"] == "2099-01-01"
    assert made["items"] == [
        {
            "product_code": "COMPANY_STANDARD",
            "unit_price_ore": 9950,
            "vat_code": "3",
            "vat_ore": 2487,
        }
    ]
    shown = await portal.get(added.headers["location"], headers=headers)
    assert "Nordlys Kraft AS" in shown.text
    assert "01.01.2099" in shown.text
    assert "Fremtidig" in shown.text

    spend = await portal.get("/kreditt/forbruk?maaned=2026-12", headers=headers)
    assert spend.status_code == 200
    assert "Nordlys Kraft AS" in spend.text
    assert "Fjord Fisk AS" in spend.text
    assert credit.spend_asked == ["all"]  # every creditor in one call


async def test_a_click_while_the_first_is_at_the_bureau_shows_the_order_in_progress(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, *ORDERER)
    key = str(uuid.uuid4())
    waiting = _order({**GOOD_BODY}, credit.price())
    credit.orders[key] = {**waiting, "status": "pending", "report": None, "settled_at": None}
    try:
        buy = {
            "csrf_token": csrf,
            "steg": "kjop",
            "idempotency_key": key,
            "accepted_price_ore": "12500",
            **GOOD,
        }
        answer = await portal.post("/kreditt/bestill", data=buy, headers=headers)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/kreditt/{waiting['id']}"  # not «bought»
        shown = await portal.get(answer.headers["location"], headers=headers)
        assert "Bestillingen er under behandling hos byrået" in shown.text
        assert "Kredittopplysningen er kjøpt." not in shown.text
    finally:
        del credit.orders[key]


async def test_the_months_specification_lists_each_charged_purchase(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, Roles.CREDITOR_ADMIN)
    key = str(uuid.uuid4())
    person = {
        **GOOD_BODY,
        "product_code": "PERSON_STANDARD",
        "subject": {"kind": "person", "national_id": "15038240045"},
    }
    credit.orders[key] = _order(person, credit.price())
    try:
        home = await portal.get("/kreditt", headers=headers)
        assert 'href="/kreditt/spesifikasjon?maaned=' in home.text
        spec = await portal.get("/kreditt/spesifikasjon?maaned=2026-12", headers=headers)
        assert spec.status_code == 200
        assert "Kredittopplysninger i 2026-12" in spec.text
        assert "150382*****" in spec.text
        assert "15038240045" not in spec.text
        assert "Kredittopplysning på person" in spec.text
        odd = await portal.get("/kreditt/spesifikasjon?maaned=2026-13", headers=headers)
        assert odd.status_code == 200  # not a month: this month's
    finally:
        del credit.orders[key]


async def test_a_bought_report_links_its_pdf_and_the_portal_relays_it(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, *ORDERER)
    key = str(uuid.uuid4())
    credit.orders[key] = _order(GOOD_BODY, credit.price())
    order_id = credit.orders[key]["id"]
    try:
        shown = await portal.get(f"/kreditt/{order_id}", headers=headers)
        assert f'href="/kreditt/{order_id}/pdf"' in shown.text
        assert "Last ned som PDF" in shown.text
        pdf = await portal.get(f"/kreditt/{order_id}/pdf", headers=headers)
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["cache-control"] == "no-store"
        assert pdf.content.startswith(b"%PDF-")
        missing = await portal.get(f"/kreditt/{uuid.uuid4()}/pdf", headers=headers)
        assert missing.status_code == 404
        odd = await portal.get("/kreditt/not-an-id/pdf", headers=headers)
        assert odd.status_code == 404
    finally:
        del credit.orders[key]


async def test_a_business_is_searched_by_name_and_a_candidate_fills_the_form(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, *ORDERER)
    credit.searches.clear()
    found = await portal.post(
        "/kreditt/sok-foretak", data={"csrf_token": csrf, "navn": "  fjellvind "}, headers=headers
    )
    assert found.status_code == 200
    assert credit.searches == ["fjellvind"]
    assert 'href="/kreditt/bestill?orgnr=999100007"' in found.text
    assert "Fjellvind Handel AS" in found.text
    assert "Kollaps" not in found.text
    bankrupt = await portal.post(
        "/kreditt/sok-foretak", data={"csrf_token": csrf, "navn": "Kollaps"}, headers=headers
    )
    assert "Konkurs" in bankrupt.text
    none = await portal.post(
        "/kreditt/sok-foretak", data={"csrf_token": csrf, "navn": "Ingen slike"}, headers=headers
    )
    assert 'id="ingen-kandidater"' in none.text
    short = await portal.post(
        "/kreditt/sok-foretak", data={"csrf_token": csrf, "navn": "F"}, headers=headers
    )
    assert short.status_code == 400
    assert "Skriv minst to bokstaver" in short.text
    assert len(credit.searches) == 3  # the short one never left the portal
    down = await portal.post(
        "/kreditt/sok-foretak", data={"csrf_token": csrf, "navn": "Byrået nede"}, headers=headers
    )
    assert down.status_code == 503
    assert SERVICE_SENTENCE not in down.text
    chosen = await portal.get("/kreditt/bestill?orgnr=999100007", headers=headers)
    assert 'value="999100007"' in chosen.text
    ignored = await portal.get("/kreditt/bestill?orgnr=12", headers=headers)
    assert 'value="12"' not in ignored.text
    creditor_only = _headers(signer, csrf, Roles.CREDITOR)
    refused = await portal.post(
        "/kreditt/sok-foretak", data={"csrf_token": csrf, "navn": "Fjell"}, headers=creditor_only
    )
    assert refused.status_code == 403


async def test_agency_admins_set_a_creditors_agreement(
    portal: httpx.AsyncClient, signer: TestSigner, credit: CreditStandIn
) -> None:
    csrf = await _csrf(portal)
    headers = _headers(signer, csrf, Roles.AGENCY_ADMIN, org=uuid.uuid4())
    prices = await portal.get("/kreditt/priser", headers=headers)
    assert f'href="/kreditt/avtaler/{CREDITOR}"' in prices.text
    page = await portal.get(f"/kreditt/avtaler/{CREDITOR}", headers=headers)
    assert page.status_code == 200
    assert "Kredittavtale: Nordlys Kraft AS" in page.text
    assert "Ingen egen avtale" in page.text
    saved = await portal.post(
        f"/kreditt/avtaler/{CREDITOR}",
        content=(
            f"csrf_token={csrf}&products=COMPANY_STANDARD"
            "&purposes=CASE_ASSESSMENT&purposes=LEGAL_STEP_ASSESSMENT"
        ).encode(),
        headers={**headers, "content-type": "application/x-www-form-urlencoded"},
    )
    assert saved.status_code == 303
    assert credit.agreement["products"] == ["COMPANY_STANDARD"]
    assert credit.agreement["purposes"] == ["CASE_ASSESSMENT", "LEGAL_STEP_ASSESSMENT"]
    shown = await portal.get(saved.headers["location"], headers=headers)
    assert "Avtalen er lagret." in shown.text
    assert 'value="COMPANY_STANDARD" checked' in shown.text
    assert 'value="PERSON_STANDARD" checked' not in shown.text
    everything = await portal.post(
        f"/kreditt/avtaler/{CREDITOR}", data={"csrf_token": csrf}, headers=headers
    )
    assert everything.status_code == 303
    assert credit.agreement["products"] is None
    refused = await portal.post(
        f"/kreditt/avtaler/{CREDITOR}",
        data={"csrf_token": csrf, "purposes": "CURIOSITY"},
        headers=headers,
    )
    assert refused.status_code == 400
    assert "Ukjent formål." in refused.text
    assert (
        await portal.get(f"/kreditt/avtaler/{uuid.uuid4()}", headers=headers)
    ).status_code == 404
    orderer = _headers(signer, csrf, *ORDERER)
    assert (await portal.get(f"/kreditt/avtaler/{CREDITOR}", headers=orderer)).status_code == 403
