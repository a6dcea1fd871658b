"""A creditor in the portal: register a case by form, import a file, read the start page."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.async_api import BrowserContext, expect
from servicekit.testing.data import national_identity_number

from .conftest import Shot

pytestmark = pytest.mark.e2e


def _day(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).strftime("%d.%m.%Y")


async def test_register_a_case_by_form_errors_next_to_fields_then_the_case(
    kari: BrowserContext, shot: Shot
) -> None:
    page = await kari.new_page()
    await page.goto("/registrer")
    reference = f"FORM-{uuid.uuid4().hex[:8]}"
    await page.get_by_label("Din referanse").fill(reference)
    await page.get_by_label("Navn", exact=True).fill("Per Hansen")
    await page.get_by_label("Fødselsnummer eller D-nummer").fill("12345678901")
    await page.get_by_label("Adresse", exact=True).fill("Storgata 2")
    await page.get_by_label("Postnummer").fill("01")
    await page.get_by_label("Poststed").fill("Oslo")
    await page.get_by_label("Fakturanummer").fill("2026-118")
    await page.get_by_label("Fakturadato").fill(_day(40))
    await page.get_by_label("Forfallsdato").fill("31.02.2026")
    await page.get_by_label("Ubetalt beløp (kr)").fill("tolv kroner")
    await page.get_by_role("button", name="Registrer saken").click()

    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("Det er noe som må rettes")
    await expect(page.locator("#f-claims-0-due_date-error")).to_contain_text("dd.mm.åååå")
    await expect(page.locator("#f-claims-0-principal_ore-error")).to_contain_text("kroner")
    await expect(page.get_by_label("Din referanse")).to_have_value(reference)
    await shot(page, "local-errors")

    await page.get_by_label("Forfallsdato").fill(_day(20))
    await page.get_by_label("Ubetalt beløp (kr)").fill("1 234,50")
    await page.get_by_role("button", name="Registrer saken").click()
    await expect(page.locator("#f-debtor-national_id-error")).to_contain_text("Kontrollsifrene")
    await expect(page.locator("#f-debtor-address-postal_code-error")).to_contain_text("4 sifre")
    await expect(page.get_by_label("Fødselsnummer eller D-nummer")).to_have_attribute(
        "aria-invalid", "true"
    )
    await shot(page, "service-errors")

    await page.get_by_label("Fødselsnummer eller D-nummer").fill(national_identity_number())
    await page.get_by_label("Postnummer").fill("0155")
    await page.get_by_role("button", name="Registrer saken").click()
    await expect(page).to_have_url(re.compile(r"/saker/[0-9a-f-]{36}\?melding=registrert"))
    await expect(page.get_by_role("status")).to_contain_text("Saken er registrert")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Sak IC-")
    await expect(page.locator("dd", has_text="kr\u00a01\u00a0234,50").first).to_be_visible()
    await expect(page.get_by_text(reference)).to_be_visible()
    await shot(page, "registered")

    await page.goto(f"/saker?reference={reference}")
    await expect(page.locator("tbody tr")).to_have_count(1)
    await shot(page, "found-in-list")
    await page.close()


def _csv(good: int, bad: list[str]) -> bytes:
    header = (
        "creditor_reference;debtor_kind;debtor_name;national_id;address_line_1;"
        "postal_code;city;invoice_number;invoice_date;due_date;principal"
    )
    run = uuid.uuid4().hex[:6]
    rows = [header]
    for i in range(good):
        rows.append(
            f"IMP-{run}-{i};person;Ola Nordmann {i};{national_identity_number()};Storgata {i};"
            f"0155;Oslo;F{i};{_day(40)};{_day(20)};1 000,00"
        )
    rows += [line.format(run=run, invoiced=_day(40), due=_day(20)) for line in bad]
    return ("\n".join(rows) + "\n").encode()


async def test_upload_a_file_with_good_and_bad_rows_and_watch_it_read_in(
    kari: BrowserContext, shot: Shot
) -> None:
    content = _csv(
        25,
        [
            "IMP-{run}-bad1;person;Feil Fnr;12345678901;Storgata 9;0155;Oslo;B1;"
            "{invoiced};{due};10",
            "IMP-{run}-bad2;person;Feil Beløp;"
            + national_identity_number()
            + ";Storgata 9;0155;Oslo;B2;{invoiced};{due};tolv",
        ],
    )
    page = await kari.new_page()
    await page.goto("/import")
    await shot(page, "import-page")
    await page.get_by_label("Fil", exact=True).set_input_files(
        files=[{"name": "saker.csv", "mimeType": "text/csv", "buffer": content}]
    )
    await page.get_by_role("button", name="Last opp og importer").click()

    await expect(page).to_have_url(re.compile(r"/import/[0-9a-f-]{36}$"))
    await expect(page.get_by_role("heading", name="Import av fil")).to_be_visible()
    await expect(page.locator("progress#import-fremdrift")).to_be_visible()
    await shot(page, "progress")
    status = page.locator("#import-status")
    await expect(status).to_contain_text("Ferdig", timeout=60_000)
    await expect(status).to_contain_text("godtatt 25")
    await expect(status).to_contain_text("avvist 2")
    report = page.locator("#feiltabell")
    await expect(report.locator("tbody tr")).to_have_count(2)
    await expect(report).to_contain_text("Fødselsnummer")  # the column, as a person names it
    await expect(report).to_contain_text("Hovedstol")
    await expect(report).not_to_contain_text("national_id")
    await expect(page.get_by_role("link", name="CSV")).to_be_visible()
    await shot(page, "error-report")

    await page.get_by_role("link", name=re.compile(r"^B-\d+$")).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Ordrebekreftelse")
    await expect(page.locator("tbody tr")).to_have_count(25)
    await shot(page, "order-confirmation")
    await page.close()


async def test_the_start_page_shows_the_portfolio_with_charts(
    kari: BrowserContext, shot: Shot
) -> None:
    page = await kari.new_page()
    await page.goto("/oversikt")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Kari Kreditor")
    await expect(page.locator("svg.chart").first).to_be_visible()
    await expect(page.get_by_role("img", name="Saker etter status")).to_be_visible()
    await expect(page.locator(".card .figure").nth(1)).to_contain_text("kr\u00a0")
    await shot(page, "overview")

    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Kari Kreditor")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await shot(page, "overview-english")
    await page.get_by_role("link", name="Norsk").click()
    await expect(page.locator("html")).to_have_attribute("lang", "nb")
    await page.close()
