"""The ledger's rate tables in the portal: an agency administrator reads the rates, adds a
version (refused first, by the portal and then by the ledger) and confirms a seeded one; a
creditor reads them by name, and the public front page shows this year's.

The version added is of a kind of the test's own, in the future, so no other test's
money can change. The row confirmed is the seeded, unconfirmed ``forsinkelsesrente`` of
1 July 2024 (``ledger/data/rates.csv``): 12.50 % p.a., the same as the confirmed row
before it, so confirming it changes no interest either. The stack is this run's own,
seeded afresh, so the row is there, unconfirmed, every run.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

import httpx
import pytest
from devstack.stack import Stack
from playwright.async_api import Browser, BrowserContext, expect

from .conftest import Shot, from_menu, new_context

pytestmark = pytest.mark.e2e

NBSP = "\u00a0"
RATES = "/api/v1/ledger/rates"


async def _rates(gateway: httpx.AsyncClient, admin: dict[str, str], **params: str) -> list[Any]:
    response = await gateway.get(RATES, params=params, headers=admin)
    assert response.status_code == 200, response.text
    rows: list[Any] = response.json()
    return rows


async def test_an_administrator_adds_a_rate_version_after_errors_and_confirms_a_seeded_one(
    gateway: httpx.AsyncClient, admin: dict[str, str], agnes: BrowserContext, shot: Shot
) -> None:
    [waiting] = [
        r
        for r in await _rates(gateway, admin, kind="forsinkelsesrente", status="unconfirmed")
        if r["effective_from"] == "2024-07-01"
    ]
    page = await agnes.new_page()
    await page.goto("/oversikt")
    await from_menu(page, "Administrasjon", "Satser")
    await expect(page).to_have_url(re.compile(r"/satser$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Satser")

    table = page.locator("#satser")
    court_fee = table.locator("tbody tr", has_text="rettsgebyr")
    await expect(court_fee.filter(has_text="01.01.2024")).to_contain_text(f"kr{NBSP}1{NBSP}277")
    await expect(court_fee.filter(has_text="01.01.2024")).to_contain_text("Bekreftet")
    await expect(court_fee.first).to_contain_text("01.01.2026")  # newest first in its kind
    await expect(court_fee.filter(has_text="01.01.2024").get_by_role("link")).to_have_attribute(
        "href", "https://lovdata.no/dokument/SF/forskrift/1983-02-15-86"
    )
    waiting_section = page.locator("#ubekreftede-satser")
    await expect(waiting_section).to_contain_text("brukes ikke før de er bekreftet")
    interest = waiting_section.locator("tbody tr", has_text="forsinkelsesrente")
    await expect(interest.filter(has_text="01.07.2025")).to_contain_text(f"12,25{NBSP}% p.a.")
    await shot(page, "rates")

    await page.get_by_label("Vis slag").select_option("rettsgebyr")
    await page.get_by_role("button", name="Vis", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/satser\?slag=rettsgebyr"))
    kinds = await table.locator("tbody tr td:first-child").all_inner_texts()
    assert set(kinds) == {"Rettsgebyr (R)"}  # its name, never the ledger's key
    await page.get_by_label("Vis slag").select_option("")
    await page.get_by_role("button", name="Vis", exact=True).click()
    await expect(table.locator("tbody tr", has_text="inkassosats").first).to_be_visible()

    kind = f"test_sats_{secrets.token_hex(4)}"
    from_day = date(date.today().year + 5, 1, 1).strftime("%d.%m.%Y")
    await page.get_by_label("Slag", exact=True).fill(kind)
    await page.get_by_label("Gjelder fra", exact=True).fill(from_day)
    value = page.get_by_label("Verdi", exact=True)
    await value.fill("tolv")
    await page.get_by_label("Enhet", exact=True).select_option(label="Prosent per år")
    source = page.get_by_label("Kilde (nettadresse)", exact=True)
    await source.fill("lovdata")
    await page.get_by_role("button", name="Legg til satsen").click()

    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("Skriv et tall fra 0")
    await expect(summary).to_be_focused()
    await expect(value).to_have_attribute("aria-invalid", "true")
    await expect(value).to_have_attribute("aria-describedby", re.compile(r"-error\b"))
    await expect(page.get_by_label("Slag", exact=True)).to_have_value(kind)  # kept
    await expect(page.get_by_label("Enhet", exact=True)).to_have_value("percent_pa")
    await shot(page, "value-refused")

    await value.fill("12,25")
    await page.get_by_role("button", name="Legg til satsen").click()  # the ledger says no
    await expect(summary).to_contain_text("Er ikke en nettadresse")
    await expect(summary).to_be_focused()
    await expect(source).to_have_attribute("aria-invalid", "true")
    await expect(value).not_to_have_attribute("aria-invalid", "true")
    await expect(value).to_have_value("12,25")
    await shot(page, "source-refused")

    await source.fill("https://lovdata.no/forskrift/2026-12-01-1")
    await page.get_by_role("button", name="Legg til satsen").click()
    await expect(page).to_have_url(re.compile(r"/satser\?melding=lagt-til$"))
    await expect(page.get_by_role("status")).to_contain_text("Satsen er lagt til")
    added = table.locator("tbody tr", has_text=kind)
    await expect(added).to_have_count(1)
    await expect(added).to_contain_text(from_day)
    await expect(added).to_contain_text(f"12,25{NBSP}% p.a.")
    await expect(added).to_contain_text("Bekreftet")
    await expect(added.get_by_role("link", name="lovdata.no")).to_be_visible()
    await shot(page, "added")
    [stored] = await _rates(gateway, admin, kind=kind)
    assert {k: stored[k] for k in ("effective_from", "unit", "status", "parameter")} == {
        "effective_from": f"{date.today().year + 5}-01-01",
        "unit": "percent_pa",
        "status": "confirmed",
        "parameter": "",
    }
    assert float(stored["value"]) == 12.25

    row = page.locator(f"#sats-{waiting['id']}")
    field = row.get_by_label("Kilde for Forsinkelsesrente fra 01.07.2024", exact=True)
    await expect(field).to_have_value(waiting["source_url"])  # prefilled with its source
    await field.fill("")
    await row.get_by_role("button", name="Bekreft").click()
    await expect(page.get_by_role("alert")).to_contain_text("Må fylles ut")
    await expect(page.get_by_role("alert")).to_be_focused()
    await expect(field).to_have_attribute("aria-invalid", "true")
    await shot(page, "confirmation-refused")

    await field.fill(waiting["source_url"])
    await row.get_by_role("button", name="Bekreft").click()
    await expect(page).to_have_url(re.compile(r"/satser\?melding=bekreftet$"))
    await expect(page.get_by_role("status")).to_contain_text("Satsen er bekreftet")
    await expect(page.locator(f"#sats-{waiting['id']}")).to_have_count(0)
    confirmed = table.locator("tbody tr", has_text="forsinkelsesrente").filter(
        has_text="01.07.2024"
    )
    await expect(confirmed).to_contain_text("Bekreftet")
    await shot(page, "confirmed")
    assert waiting["id"] not in {
        r["id"] for r in await _rates(gateway, admin, status="unconfirmed")
    }
    await page.close()


async def test_a_creditor_reads_the_rates_by_name_and_the_front_page_has_this_years(
    kari: BrowserContext, browser: Browser, stack: Stack, shot: Shot
) -> None:
    page = await kari.new_page()
    await page.goto("/oversikt")
    await from_menu(page, "Rapporter", "Satser")
    await expect(page).to_have_url(re.compile(r"/satser$"))
    today = page.locator("#satser-i-dag")
    await expect(today.locator("tbody tr", has_text="Salær, lett inkasso").first).to_be_visible()
    await expect(today.locator("tbody tr", has_text="Forliksklage")).to_contain_text("ganger")
    await expect(page.locator("#satsskjema")).to_have_count(0)  # the forms are the admins'
    await expect(page.locator("#ubekreftede-satser")).to_have_count(0)
    await shot(page, "creditor")

    anonymous = await new_context(browser, stack)
    try:
        front = await anonymous.new_page()
        await front.goto("/")
        rates = front.locator("#satser-forside")
        heading = front.get_by_role("heading", level=2, name=re.compile(r"^Satser for \d{4}$"))
        await expect(heading).to_be_visible()
        await expect(rates.locator("tbody tr", has_text="Inkassosats")).to_have_count(1)
        await expect(rates.get_by_role("link").first).to_be_visible()
        await shot(front, "front-page")
    finally:
        await anonymous.close()
