"""Credit reports in the portal, against the bureau simulator: Kari (a creditor user with the
right to order) searches a business and a person, sees the price, buys, reads the
reports and finds them in the history; a kredittsperre and «no match» are told in
Norwegian; «Kredittsjekk skyldner» on a case fills the form from the case; the agency's
administrator adds a dated price and reads the spend per creditor. A business found by
name is bought and its report downloaded as PDF; a product outside the agreement the
agency admin sets for Kari's organisation is refused in Norwegian. axe on every page.

The subjects are the simulator's (``simulators.bureau_subjects``): a risky AS with payment
remarks, a person with remarks, a person with a kredittsperre, an unknown company.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from gateway.portal.formatting import amount
from playwright.async_api import BrowserContext, Download, Page, expect
from servicekit.testing.wait import wait_for
from simulators import bureau_subjects as s

from ..identity import Login, sign_in
from .conftest import KARI, Shot, axe_violations, from_menu, register_by_form

pytestmark = pytest.mark.e2e

P = "/api/v1/credit"
PURPOSE_TEXT = "Vurdering av om kravet kan inndrives i saken"


async def _prices_ready(
    gateway: httpx.AsyncClient, admin: dict[str, str], kari: dict[str, str]
) -> dict[str, int]:
    """The agency's default price list (made when missing) and the credit service knowing
    Kari's organisation; Kari's total price (incl. VAT) per product."""
    lists = (await gateway.get(f"{P}/price-lists", headers=admin)).json()
    if not any(pl["creditor_id"] is None for pl in lists):
        body = {
            "name": "Standard",
            "valid_from": date.today().isoformat(),
            "items": [
                {"product_code": "COMPANY_STANDARD", "unit_price_ore": 49_00, "vat_code": "3"},
                {"product_code": "PERSON_STANDARD", "unit_price_ore": 79_00, "vat_code": "3"},
            ],
        }
        made = await gateway.post(
            f"{P}/price-lists", json=body, headers={**admin, "Idempotency-Key": str(uuid.uuid4())}
        )
        assert made.status_code == 201, made.text
    me = (await gateway.get("/api/v1/auth/me", headers=kari)).json()

    async def enabled() -> bool:
        known = await gateway.get(f"{P}/creditors/{me['organisation_id']}", headers=admin)
        return known.status_code == 200 and bool(known.json()["active"])

    await wait_for(enabled, what="the credit service to know Kari's organisation", seconds=60)
    products: list[dict[str, Any]] = (await gateway.get(f"{P}/products", headers=kari)).json()
    return {p["code"]: p["price"]["total_ore"] for p in products if p["price"]}


async def _fill(page: Page, kind: str, number: str, purpose: str, case: str = "") -> None:
    await page.get_by_label("Foretak" if kind == "company" else "Person", exact=True).check()
    field = "Organisasjonsnummer" if kind == "company" else "Fødselsnummer eller D-nummer"
    await page.get_by_label(field).fill(number)
    product = "Kredittopplysning på foretak" if kind == "company" else "Kredittopplysning på person"
    await page.get_by_label(re.compile(product)).check()
    await page.get_by_label("Hvorfor trengs opplysningen?").select_option(purpose)
    await page.get_by_label("Beskriv behovet").fill(PURPOSE_TEXT)
    await page.get_by_label("Saksnummer").fill(case)


async def test_a_creditor_buys_reports_on_a_business_and_a_person_and_finds_them(
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    demo: dict[str, Login],
    kari: BrowserContext,
    agnes: BrowserContext,
    shot: Shot,
) -> None:
    kari_api = await sign_in(gateway, demo[KARI])
    prices = await _prices_ready(gateway, admin, await kari_api.headers())
    violations: dict[str, list[dict[str, object]]] = {}
    page = await kari.new_page()
    await page.goto("/oversikt")
    await page.get_by_role("navigation").get_by_role("link", name="Kredittopplysninger").click()
    await expect(page).to_have_url(re.compile(r"/kreditt$"))
    violations["/kreditt"] = await axe_violations(page)
    await page.get_by_role("link", name="Ny kredittopplysning").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ny kredittopplysning")
    violations["/kreditt/bestill"] = await axe_violations(page)

    # every error at once, before any price is asked for
    await page.get_by_label("Organisasjonsnummer").fill("12345")
    await page.get_by_label("Beskriv behovet").fill("kort")
    await page.get_by_role("button", name="Se pris").click()
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("Et organisasjonsnummer har 9 sifre")
    await expect(summary).to_contain_text("minst 10 tegn")
    await expect(summary).to_contain_text("Oppgi saken bestillingen gjelder")
    violations["/kreditt/bestill (errors)"] = await axe_violations(page)
    await shot(page, "order-errors")

    # a business: the price, then the purchase
    await _fill(page, "company", s.AS_RISKY, "CASE_ASSESSMENT", "E2E-KREDITT-1")
    await page.get_by_role("button", name="Se pris").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft kjøpet")
    price = amount(prices["COMPANY_STANDARD"])
    await expect(page.locator("#pris")).to_contain_text(f"{price} inkl. mva.")
    violations["confirm"] = await axe_violations(page)
    await shot(page, "company-price")
    await page.get_by_role("button", name=f"Kjøp for {price}").click()
    await expect(page).to_have_url(re.compile(r"/kreditt/[0-9a-f-]{36}\?melding=kjopt"))
    company_report = urlsplit(page.url).path
    await expect(page.get_by_role("status")).to_contain_text("Kredittopplysningen er kjøpt.")
    await expect(page.locator("#rating")).to_contain_text("Kreditt mot sikkerhet")
    await expect(page.locator("#per-dato")).to_contain_text("Opplysningene gjelder per")
    await expect(page.locator("#betalingsanmerkninger tbody tr")).to_have_count(3)
    await expect(page.locator("#nokkeltall")).to_be_visible()
    violations["company report"] = await axe_violations(page)
    await shot(page, "company-report")

    # a person with payment remarks
    await page.goto("/kreditt/bestill")
    await _fill(page, "person", s.PERSON_REMARKS, "CASE_ASSESSMENT", "E2E-KREDITT-2")
    await page.get_by_role("button", name="Se pris").click()
    price = amount(prices["PERSON_STANDARD"])
    await expect(page.locator("#kjop-oppsummering")).to_contain_text("150382*****")
    await expect(page.locator("#kjop-oppsummering")).not_to_contain_text(s.PERSON_REMARKS)
    await page.get_by_role("button", name=f"Kjøp for {price}").click()
    await expect(page).to_have_url(re.compile(r"/kreditt/[0-9a-f-]{36}\?melding=kjopt"))
    person_report = urlsplit(page.url).path
    assert s.PERSON_REMARKS not in page.url
    await expect(page.locator("#rating")).to_contain_text("svært høy risiko")
    await expect(page.locator("#betalingsanmerkninger")).to_contain_text("Lønnstrekk")
    violations["person report"] = await axe_violations(page)
    await shot(page, "person-report")

    # both in the history, with this month's spend
    await page.goto("/kreditt")
    history = page.locator("#kreditt-historikk")
    for path in (company_report, person_report):
        await expect(history.locator(f'a[href="{path}"]')).to_be_visible()
    await expect(history).to_contain_text("150382*****")
    await expect(page.locator("#maanedens-forbruk")).to_be_visible()
    await shot(page, "history")
    await page.get_by_role("link", name="Spesifikasjon for måneden").click()
    specification = page.locator("#spesifikasjon")
    await expect(specification.locator(f'a[href="{person_report}"]')).to_be_visible()
    await expect(specification).to_contain_text("150382*****")
    violations["/kreditt/spesifikasjon"] = await axe_violations(page)
    await shot(page, "specification")

    # a kredittsperre stops the creditor's own credit decision; «no match» charges nothing
    await page.goto("/kreditt/bestill")
    await _fill(page, "person", s.PERSON_BLOCKED, "CREDITOR_CREDIT_DECISION")
    await page.get_by_label(re.compile("Jeg bekrefter")).check()
    await page.get_by_role("button", name="Se pris").click()
    await page.get_by_role("button", name=re.compile("Kjøp for")).click()
    await expect(page.get_by_role("alert")).to_contain_text("Personen har kredittsperre")
    await expect(page.get_by_role("alert")).to_contain_text("Ingenting er belastet")
    await shot(page, "credit-block")
    await page.goto("/kreditt/bestill")
    await _fill(page, "company", s.COMPANY_UNKNOWN, "CASE_ASSESSMENT", "E2E-3")
    await page.get_by_role("button", name="Se pris").click()
    await page.get_by_role("button", name=re.compile("Kjøp for")).click()
    await expect(page.get_by_role("alert")).to_contain_text("fant ingen med dette nummeret")
    violations["no match"] = await axe_violations(page)
    await shot(page, "no-match")

    # «Kredittsjekk skyldner» on a case: the case and the kind from the case, no number in
    # the URL (the case shows a person's number masked, so Kari types it)
    case_path = await register_by_form(page, f"KREDITT-{uuid.uuid4().hex[:8]}")
    await page.get_by_role("link", name="Kredittsjekk skyldner").click()
    await expect(page).to_have_url(re.compile(r"/kreditt/bestill\?sak=[0-9a-f-]{36}$"))
    assert case_path.rsplit("/", 1)[-1] in page.url
    case_number = await page.get_by_label("Saksnummer").input_value()
    assert case_number
    await expect(page.get_by_label("Person", exact=True)).to_be_checked()
    await shot(page, "from-case")

    # the agency: products and prices, a dated price, spend per creditor
    admin_page = await agnes.new_page()
    await admin_page.goto("/oversikt")
    await from_menu(admin_page, "Administrasjon", "Kredittopplysninger")
    await expect(admin_page).to_have_url(re.compile(r"/kreditt/priser$"))
    await expect(admin_page.locator("#kredittprodukter")).to_contain_text(
        "Kredittopplysning på foretak"
    )
    violations["/kreditt/priser"] = await axe_violations(admin_page)
    from_day = date(date.today().year + 5, 1, 1).strftime("%d.%m.%Y")
    await admin_page.get_by_label("Gjelder fra").fill(from_day)
    await admin_page.get_by_label("Pris eks. mva. (kr)").fill("null")
    await admin_page.get_by_role("button", name="Legg til pris").click()
    await expect(admin_page.get_by_role("alert")).to_contain_text("Skriv beløpet i kroner")
    violations["/kreditt/priser (errors)"] = await axe_violations(admin_page)
    await admin_page.get_by_label("Pris eks. mva. (kr)").fill("55,00")
    await admin_page.get_by_role("button", name="Legg til pris").click()
    await expect(admin_page).to_have_url(re.compile(r"/kreditt/priser\?melding=lagt-til"))
    row = admin_page.locator("#kredittprislister tbody tr", has_text=from_day)
    await expect(row).to_contain_text("Fremtidig")
    await shot(admin_page, "prices")
    await admin_page.get_by_role("link", name="Forbruk per oppdragsgiver").click()
    spend = admin_page.locator("#forbruk-per-oppdragsgiver")
    await expect(spend).to_contain_text("Nordlys")
    violations["/kreditt/forbruk"] = await axe_violations(admin_page)
    await shot(admin_page, "spend")

    assert {k: v for k, v in violations.items() if v} == {}


async def _bytes(download: Download) -> bytes:
    path = await download.path()
    return path.read_bytes()


async def test_a_business_by_name_as_pdf_and_a_product_outside_the_agreement(
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    demo: dict[str, Login],
    kari: BrowserContext,
    agnes: BrowserContext,
    shot: Shot,
) -> None:
    kari_api = await sign_in(gateway, demo[KARI])
    kari_headers = await kari_api.headers()
    prices = await _prices_ready(gateway, admin, kari_headers)
    organisation = (await gateway.get("/api/v1/auth/me", headers=kari_headers)).json()[
        "organisation_id"
    ]
    violations: dict[str, list[dict[str, object]]] = {}
    page = await kari.new_page()

    # a business by name: the bureau's candidates, one chosen fills the number
    await page.goto("/kreditt/bestill")
    await page.get_by_label("Navn på foretaket").fill("Vaklevik")
    await page.get_by_role("button", name="Søk", exact=True).click()
    candidates = page.locator("#kandidater")
    await expect(candidates).to_contain_text("Vaklevik Bygg AS")
    violations["name search"] = await axe_violations(page)
    await shot(page, "name-search")
    await candidates.get_by_role("link", name="Vaklevik Bygg AS").click()
    await expect(page.get_by_label("Organisasjonsnummer")).to_have_value(s.AS_RISKY)
    await page.get_by_label("Hvorfor trengs opplysningen?").select_option("CASE_ASSESSMENT")
    await page.get_by_label("Beskriv behovet").fill(PURPOSE_TEXT)
    await page.get_by_label("Saksnummer").fill("E2E-KREDITT-PDF")
    await page.get_by_role("button", name="Se pris").click()
    price = amount(prices["COMPANY_STANDARD"])
    await page.get_by_role("button", name=f"Kjøp for {price}").click()
    await expect(page).to_have_url(re.compile(r"/kreditt/[0-9a-f-]{36}"))

    # the report as PDF
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Last ned som PDF").click()
    pdf = await downloading.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert (await _bytes(pdf)).startswith(b"%PDF-")
    violations["report with pdf link"] = await axe_violations(page)

    # the agency admin allows Kari's organisation company reports only
    admin_page = await agnes.new_page()
    try:
        await admin_page.goto("/kreditt/priser")
        await admin_page.locator(
            f'#kredittavtaler a[href="/kreditt/avtaler/{organisation}"]'
        ).click()
        await expect(admin_page.get_by_role("heading", level=1)).to_contain_text("Kredittavtale")
        violations["/kreditt/avtaler"] = await axe_violations(admin_page)
        await admin_page.get_by_label("Kredittopplysning på foretak").check()
        await admin_page.get_by_role("button", name="Lagre avtalen").click()
        await expect(admin_page.get_by_role("status")).to_contain_text("Avtalen er lagret.")
        await expect(admin_page.get_by_label("Kredittopplysning på foretak")).to_be_checked()
        await shot(admin_page, "agreement")

        # a person report is now refused, in Norwegian, and nothing reaches the bureau
        await page.goto("/kreditt/bestill")
        await expect(page.locator("#kredittskjema")).to_contain_text("ikke i avtalen deres")
        await _fill(page, "person", s.PERSON_CLEAN, "CASE_ASSESSMENT", "E2E-KREDITT-AVTALE")
        await page.get_by_role("button", name="Se pris").click()
        await page.get_by_role("button", name=re.compile("Kjøp for")).click()
        alert = page.get_by_role("alert")
        await expect(alert).to_contain_text("tillater ikke denne bestillingen")
        await expect(alert).to_contain_text("Produktet er ikke med i avtalen")
        violations["refused product"] = await axe_violations(page)
        await shot(page, "refused-product")
    finally:
        reset = await gateway.put(
            f"{P}/creditors/{organisation}/agreement",
            json={"products": None, "purposes": None},
            headers=admin,
        )
        assert reset.status_code == 200, reset.text

    assert {k: v for k, v in violations.items() if v} == {}
