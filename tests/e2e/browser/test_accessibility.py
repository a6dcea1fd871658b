"""axe-core on the portal's main pages: no serious or critical WCAG 2.1 A/AA violations."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import date

import pytest
from devstack.stack import Stack
from ledger.settings import LedgerSettings
from playwright.async_api import Browser, BrowserContext, expect
from simulators.bank import IncomingPayment, kid_mod10, ocr_giro_file

from .conftest import Shot, axe_violations, new_context, register_by_form

pytestmark = pytest.mark.e2e

CREDITOR_PAGES = ["/oversikt", "/saker", "/registrer", "/import", "/bunter", "/innstillinger"]


def a_bank_file() -> bytes:
    """An OCR giro file of one payment nobody's KID names (it goes to the unmatched queue)."""
    return ocr_giro_file(
        [IncomingPayment(amount_ore=99_00, kid=kid_mod10("8" + str(secrets.randbelow(10**12))))],
        account=LedgerSettings().client_funds_account,
        settlement_date=date.today(),
        transmission_number=secrets.randbelow(9_000_000) + 1,
        assignment_number=secrets.randbelow(9_000_000) + 1,
        first_archive_reference=secrets.randbelow(900_000_000),
    )


async def test_main_pages_have_no_serious_accessibility_violations(
    stack: Stack,
    browser: Browser,
    kari: BrowserContext,
    handler: BrowserContext,
    agnes: BrowserContext,
    shot: Shot,
) -> None:
    found: dict[str, list[dict[str, object]]] = {}
    page = await kari.new_page()
    case_path = await register_by_form(page, f"A11Y-{uuid.uuid4().hex[:8]}")
    for path in [*CREDITOR_PAGES, case_path]:
        await page.goto(path)
        found[path] = await axe_violations(page)
        await shot(page, path.strip("/").split("/")[0] or "root")

    await page.goto("/registrer")
    await page.get_by_role("button", name="Registrer saken").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    found["/registrer (errors)"] = await axe_violations(page)
    await shot(page, "registrer-errors")

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto("/saker")
    found["/saker (phone)"] = await axe_violations(page)
    await shot(page, "saker-phone")
    await page.close()

    desk = await handler.new_page()
    for path in ("/oversikt", case_path, "/saksbehandler/bankfiler"):
        await desk.goto(path)
        found[f"{path} (case handler)"] = await axe_violations(desk)
    await desk.get_by_label("Bankfil", exact=True).set_input_files(
        files=[{"name": "ocr.txt", "mimeType": "text/plain", "buffer": a_bank_file()}]
    )
    await desk.get_by_role("button", name="Last opp og les inn").click()
    await expect(desk).to_have_url(re.compile(r"/saksbehandler/bankfiler/[0-9a-f-]{36}"))
    found["/saksbehandler/bankfiler/{id}"] = await axe_violations(desk)
    await shot(desk, "bankfil")
    await desk.goto("/saksbehandler/bankfiler")
    await desk.get_by_label("Bankfil", exact=True).set_input_files(
        files=[{"name": "ocr.txt", "mimeType": "text/plain", "buffer": a_bank_file()[:-84]}]
    )
    await desk.get_by_role("button", name="Last opp og les inn").click()
    await expect(desk.get_by_role("alert")).to_be_visible()
    found["/saksbehandler/bankfiler (refused)"] = await axe_violations(desk)
    await shot(desk, "bankfil-refused")
    await desk.close()

    office = await agnes.new_page()
    await office.goto("/oppdragsgivere")
    found["/oppdragsgivere"] = await axe_violations(office)
    await shot(office, "oppdragsgivere")
    await office.locator("#oppdragsgivere tbody a").first.click()
    await expect(office).to_have_url(re.compile(r"/oppdragsgivere/[0-9a-f-]{36}$"))
    found["/oppdragsgivere/{id}"] = await axe_violations(office)
    await office.get_by_label("Provisjon (prosent)").fill("mye")
    await office.get_by_role("button", name="Lagre avtalen").click()
    await expect(office.get_by_role("alert")).to_be_visible()
    found["/oppdragsgivere/{id} (errors)"] = await axe_violations(office)
    await shot(office, "avtale-errors")
    await office.goto("/avregning")
    found["/avregning (agency admin)"] = await axe_violations(office)
    settlements = office.locator("table a[href^='/avregning/']")
    if await settlements.count():  # a settlement another test (or the demo) made
        await settlements.first.click()
        found["/avregning/{id} (agency admin)"] = await axe_violations(office)
        await shot(office, "avregning")
    await office.goto("/satser")
    found["/satser (agency admin)"] = await axe_violations(office)
    await shot(office, "satser")
    await office.get_by_role("button", name="Legg til satsen").click()
    await expect(office.get_by_role("alert")).to_be_visible()
    found["/satser (errors)"] = await axe_violations(office)
    await shot(office, "satser-errors")
    await office.close()

    public = await new_context(browser, stack)
    visitor = await public.new_page()
    for path in ("/", "/logg-inn", "/invitation", "/glemt-passord"):
        await visitor.goto(path)
        found[path] = await axe_violations(visitor)
    await shot(visitor, "glemt-passord")
    await public.close()

    assert {path: v for path, v in found.items() if v} == {}
