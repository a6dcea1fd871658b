"""The issue's remaining gaps, against the bureau simulator as a real process: a bought
report as PDF (logged as a view), the agency's per-creditor agreement (orders outside it
refused before the bureau is asked), a business searched by name (free, logged), «no
match» charged only where the product's terms say so, and every creditor's spend in one
call."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from credit.bootstrap import CreditService
from credit.entrypoints.api import create_app
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from simulators import bureau_subjects as s
from sqlalchemy import text

from .world import COMPANY_PRICE, PERSON_PRICE, Bureau, CreditorWorld, company, person

pytestmark = pytest.mark.integration

P = "/api/v1/credit"


@pytest.fixture
async def client(service: CreditService) -> Any:
    async with asgi_client(create_app(service)) as client:
        yield client


@pytest.fixture
async def world(
    service: CreditService, signer: TestSigner, client: httpx.AsyncClient
) -> CreditorWorld:
    return await CreditorWorld(service, signer, client).register()


async def actions(service: CreditService, **where: str) -> list[str]:
    clause = " AND ".join(f"{k} = :{k}" for k in where)
    async with service.session_factory() as session:
        rows = await session.execute(
            text(f"SELECT action FROM access_log WHERE {clause} ORDER BY id"), where
        )
        return [a for (a,) in rows]


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


# -- the report as PDF ----------------------------------------------------------------------


async def test_a_bought_report_downloads_as_pdf_and_the_download_is_logged(
    world: CreditorWorld, client: httpx.AsyncClient, service: CreditService
) -> None:
    order = (await world.order(company(s.AS_RISKY))).json()

    response = await client.get(f"{P}/orders/{order['id']}/pdf", headers=world.orderer)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF-")
    printed = pdf_text(response.content)
    assert "Kredittopplysning" in printed
    assert "Vaklevik Bygg AS" in printed
    assert "999100023" in printed
    assert "Kreditt mot sikkerhet" in printed  # rating B, with its meaning
    assert "Betalingsanmerkninger" in printed
    assert await actions(service, order_id=order["id"]) == ["order", "view"]


async def test_a_person_report_pdf_is_the_ordering_creditors_only(
    world: CreditorWorld,
    client: httpx.AsyncClient,
    service: CreditService,
    signer: TestSigner,
) -> None:
    order = (await world.order(person(s.PERSON_REMARKS))).json()
    other = await CreditorWorld(service, signer, client).register()

    mine = await client.get(f"{P}/orders/{order['id']}/pdf", headers=world.orderer)
    theirs = await client.get(f"{P}/orders/{order['id']}/pdf", headers=other.orderer)

    assert mine.status_code == 200
    printed = pdf_text(mine.content)
    assert s.PERSON_REMARKS not in printed  # the number is shown masked only
    assert order["subject"]["display"] in printed
    assert_problem(theirs, 404)
    assert await actions(service, order_id=order["id"]) == ["order", "view"]


async def test_an_order_without_a_report_has_no_pdf(
    world: CreditorWorld, client: httpx.AsyncClient
) -> None:
    failed = await world.order(person(s.PERSON_UNKNOWN))
    assert failed.status_code == 422
    order_id = failed.json()["order_id"]

    response = await client.get(f"{P}/orders/{order_id}/pdf", headers=world.orderer)

    assert_problem(response, 409)
    assert response.json()["type"].endswith("report-not-available")


# -- the per-creditor agreement -------------------------------------------------------------


async def test_orders_outside_the_creditors_agreement_are_refused_before_the_bureau(
    world: CreditorWorld, client: httpx.AsyncClient, bureau: Bureau
) -> None:
    path = f"{P}/creditors/{world.creditor_id}/agreement"
    before = (await client.get(path, headers=world.admin)).json()
    assert before["products"] is None
    assert before["updated_at"] is None

    put = await client.put(
        path,
        json={"products": ["COMPANY_STANDARD"], "purposes": ["CASE_ASSESSMENT"]},
        headers=world.admin,
    )
    assert put.status_code == 200, put.text
    assert put.json()["products"] == ["COMPANY_STANDARD"]
    assert put.json()["updated_at"] is not None

    refused_product = await world.order(person(s.PERSON_CLEAN))
    refused_purpose = await world.order(company(s.AS_HEALTHY), purpose="LEGAL_STEP_ASSESSMENT")
    allowed = await world.order(company(s.AS_HEALTHY))

    assert_problem(refused_product, 422)
    assert refused_product.json()["type"].endswith("outside-agreement")
    assert refused_product.json()["errors"][0]["field"] == "product_code"
    assert refused_product.json()["errors"][0]["code"] == "product-not-in-agreement"
    assert_problem(refused_purpose, 422)
    assert refused_purpose.json()["errors"][0]["field"] == "purpose.code"
    assert refused_purpose.json()["errors"][0]["code"] == "purpose-not-in-agreement"
    assert allowed.status_code == 201, allowed.text
    assert len(await bureau.calls()) == 1  # only the allowed order reached the bureau
    assert len(await world.charges()) == 1

    products = {
        p["code"]: p for p in (await client.get(f"{P}/products", headers=world.orderer)).json()
    }
    assert products["COMPANY_STANDARD"]["in_agreement"] is True
    assert products["PERSON_STANDARD"]["in_agreement"] is False
    assert products["COMPANY_STANDARD"]["allowed_purposes"] == ["CASE_ASSESSMENT"]

    # back to everything
    reset = await client.put(path, json={"products": None, "purposes": None}, headers=world.admin)
    assert reset.json()["products"] is None
    assert (await world.order(person(s.PERSON_CLEAN))).status_code == 201


async def test_an_agreement_names_only_known_products_purposes_and_creditors(
    world: CreditorWorld, client: httpx.AsyncClient
) -> None:
    path = f"{P}/creditors/{world.creditor_id}/agreement"
    unknown_product = await client.put(path, json={"products": ["GOLD"]}, headers=world.admin)
    unknown_purpose = await client.put(path, json={"purposes": ["CURIOSITY"]}, headers=world.admin)
    nobody = await client.put(
        f"{P}/creditors/{uuid.uuid4()}/agreement", json={"products": None}, headers=world.admin
    )

    assert_problem(unknown_product, 422)
    assert unknown_product.json()["errors"][0]["code"] == "unknown-product"
    assert_problem(unknown_purpose, 422)
    assert_problem(nobody, 404)
    assert_problem(await client.put(path, json={}, headers=world.orderer), 403)


# -- a business searched by name ------------------------------------------------------------


async def test_a_business_is_found_by_name_free_and_the_search_is_logged(
    world: CreditorWorld, client: httpx.AsyncClient, bureau: Bureau, service: CreditService
) -> None:
    response = await client.post(
        f"{P}/company-searches", json={"name": "  fjellvind   HANDEL "}, headers=world.orderer
    )

    assert response.status_code == 200, response.text
    candidates = response.json()["candidates"]
    assert [c["organisation_number"] for c in candidates] == [s.AS_HEALTHY]
    assert candidates[0]["name"] == "Fjellvind Handel AS"
    assert candidates[0]["city"] == "Oslo"
    assert await bureau.calls() == []  # nothing bought
    assert await world.charges() == []
    assert await actions(service, creditor_id=str(world.creditor_id)) == ["search"]

    several = await client.post(f"{P}/company-searches", json={"name": "AS"}, headers=world.orderer)
    numbers = {c["organisation_number"] for c in several.json()["candidates"]}
    assert {s.AS_HEALTHY, s.AS_RISKY} <= numbers
    assert s.AS_DISSOLVED not in numbers  # deleted from the register: not a candidate
    none = await client.post(
        f"{P}/company-searches", json={"name": "Finnes Ikke"}, headers=world.orderer
    )
    assert none.json()["candidates"] == []


async def test_a_search_refuses_bad_names_and_tells_bureau_faults(
    world: CreditorWorld, client: httpx.AsyncClient, bureau: Bureau
) -> None:
    short = await client.post(f"{P}/company-searches", json={"name": "A"}, headers=world.orderer)
    assert_problem(short, 422)
    creditor_user = world.headers("creditor")
    assert_problem(
        await client.post(f"{P}/company-searches", json={"name": "Fjell"}, headers=creditor_user),
        403,
    )

    await bureau.faults("503", "500", "malformed")
    unavailable = await client.post(
        f"{P}/company-searches", json={"name": "Fjell"}, headers=world.orderer
    )
    failed = await client.post(
        f"{P}/company-searches", json={"name": "Fjell"}, headers=world.orderer
    )
    broken = await client.post(
        f"{P}/company-searches", json={"name": "Fjell"}, headers=world.orderer
    )

    assert_problem(unavailable, 503)
    assert unavailable.json()["type"].endswith("bureau-unavailable")
    assert "retry-after" in unavailable.headers
    assert_problem(failed, 502)
    assert_problem(broken, 502)


# -- «no match» charged only where configured -----------------------------------------------


@pytest.fixture
async def no_match_charged(client: httpx.AsyncClient, world: CreditorWorld) -> AsyncIterator[None]:
    """PERSON_STANDARD charges «no match» for the test; the catalogue's default after."""
    set_on = await client.put(
        f"{P}/products/PERSON_STANDARD/terms", json={"charge_no_match": True}, headers=world.admin
    )
    assert set_on.status_code == 200, set_on.text
    assert set_on.json()["charge_no_match"] is True
    try:
        yield
    finally:
        await client.put(
            f"{P}/products/PERSON_STANDARD/terms",
            json={"charge_no_match": False},
            headers=world.admin,
        )


async def test_no_match_is_charged_only_for_a_product_whose_terms_say_so(
    world: CreditorWorld, client: httpx.AsyncClient, no_match_charged: None
) -> None:
    person_no_match = await world.order(person(s.PERSON_UNKNOWN))
    company_no_match = await world.order(company(s.COMPANY_UNKNOWN))

    assert_problem(person_no_match, 422)
    assert_problem(company_no_match, 422)
    charged_id = person_no_match.json()["order_id"]
    assert person_no_match.json()["charged"] is True
    assert company_no_match.json()["charged"] is False
    charges = await world.charges()
    assert [c["order_id"] for c in charges] == [charged_id]
    assert charges[0]["price_ore"] == PERSON_PRICE
    order = (await client.get(f"{P}/orders/{charged_id}", headers=world.orderer)).json()
    assert (order["status"], order["failure_code"]) == ("failed", "no-match")
    assert order["charged"] is True
    free = (
        await client.get(f"{P}/orders/{company_no_match.json()['order_id']}", headers=world.orderer)
    ).json()
    assert free["charged"] is False
    spec = (await client.get(f"{P}/specification", headers=world.orderer)).json()
    assert [(line["order_id"], line["no_match"]) for line in spec["lines"]] == [(charged_id, True)]


async def test_no_match_is_free_by_default_and_the_term_is_fixed_when_ordered(
    world: CreditorWorld, client: httpx.AsyncClient
) -> None:
    products = {
        p["code"]: p for p in (await client.get(f"{P}/products", headers=world.orderer)).json()
    }
    assert products["PERSON_STANDARD"]["charge_no_match"] is False

    response = await world.order(person(s.PERSON_UNKNOWN))

    assert_problem(response, 422)
    assert await world.charges() == []
    row = await world.order_row(response.json()["order_id"])
    assert row["charge_no_match"] is False
    assert row["purchased_on"] is None


# -- every creditor's spend in one call -----------------------------------------------------


async def test_the_agency_gets_every_creditors_spend_in_one_call(
    world: CreditorWorld, client: httpx.AsyncClient, service: CreditService, signer: TestSigner
) -> None:
    other = await CreditorWorld(service, signer, client).register()
    idle = await CreditorWorld(service, signer, client).register()
    assert (await world.order(company(s.AS_HEALTHY))).status_code == 201
    assert (await world.order(person(s.PERSON_CLEAN))).status_code == 201
    assert (await other.order(person(s.PERSON_CLEAN))).status_code == 201
    assert (await world.order(person(s.PERSON_UNKNOWN))).status_code == 422  # free

    response = await client.get(f"{P}/spend/creditors", headers=world.admin)

    assert response.status_code == 200, response.text
    rows = {r["creditor_id"]: r for r in response.json()["creditors"]}
    mine = rows[str(world.creditor_id)]
    assert (mine["orders"], mine["price_ore"]) == (2, COMPANY_PRICE + PERSON_PRICE)
    assert mine["total_ore"] == mine["price_ore"] + mine["vat_ore"]
    assert mine["name"] == world.name
    assert (rows[str(other.creditor_id)]["orders"], rows[str(other.creditor_id)]["price_ore"]) == (
        1,
        PERSON_PRICE,
    )
    assert rows[str(idle.creditor_id)]["orders"] == 0
    for creditor in (world, other):
        single = (
            await client.get(f"{P}/spend?creditor_id={creditor.creditor_id}", headers=world.admin)
        ).json()
        assert single["total_ore"] == rows[str(creditor.creditor_id)]["total_ore"]
    assert_problem(await client.get(f"{P}/spend/creditors", headers=world.orderer), 403)
    earlier = await client.get(f"{P}/spend/creditors?month=2001-01", headers=world.admin)
    assert all(r["orders"] == 0 for r in earlier.json()["creditors"])
    for odd in ("0000-05", "9999-12", "2026-13"):  # found by the API fuzzer: year 0 was a 500
        assert_problem(
            await client.get(f"{P}/spend/creditors?month={odd}", headers=world.admin), 422
        )
        assert_problem(await client.get(f"{P}/spend?month={odd}", headers=world.orderer), 422)
