"""Agency work in the portal: an administrator sets a creditor's agreement, and a case
handler reads in the bank's OCR giro file and sees its payments placed on their cases."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

import httpx
import pytest
from ledger.settings import LedgerSettings
from playwright.async_api import BrowserContext, expect
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.wait import wait_for
from simulators.bank import IncomingPayment, kid_mod10, ocr_giro_file

from .conftest import Shot, from_menu, register_by_form

pytestmark = pytest.mark.e2e

CLIENT_FUNDS = LedgerSettings().client_funds_account  # the stack runs the ledger's default


async def a_creditor(gateway: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    """A creditor organisation of its own (Nordlys's agreement is other tests' business)."""
    response = await gateway.post(
        "/api/v1/auth/organisations",
        json={"name": unique_name("Avtalefirma"), "organisation_number": organisation_number()},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def ocr_file(*payments: tuple[str, int]) -> bytes:
    """The bank's OCR giro file of ``(KID, øre)`` payments into the client funds, today."""
    return ocr_giro_file(
        [IncomingPayment(amount_ore=amount, kid=kid) for kid, amount in payments],
        account=CLIENT_FUNDS,
        settlement_date=date.today(),
        transmission_number=secrets.randbelow(9_000_000) + 1,
        assignment_number=secrets.randbelow(9_000_000) + 1,
        first_archive_reference=secrets.randbelow(900_000_000),
    )


async def test_an_administrator_sets_a_creditors_agreement_after_a_field_error(
    gateway: httpx.AsyncClient, admin: dict[str, str], agnes: BrowserContext, shot: Shot
) -> None:
    creditor = await a_creditor(gateway, admin)
    page = await agnes.new_page()
    await page.goto("/oversikt")
    await from_menu(page, "Administrasjon", "Oppdragsgivere")
    await page.get_by_label("Navn eller organisasjonsnummer").fill(creditor["name"])
    await page.get_by_role("button", name="Søk").click()
    row = page.locator("#oppdragsgivere tbody tr", has_text=creditor["name"])
    await expect(row).to_contain_text("Ingen avtale")
    await shot(page, "no-agreement")
    await row.get_by_role("link", name=creditor["name"]).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Avtale med {creditor['name']}"
    )

    await page.get_by_label("Provisjon (prosent)").fill("12,5")
    await page.get_by_label("Dekningsrekkefølge").select_option(
        label="Renter → Kostnader → Hovedstol"
    )
    await page.get_by_label("Nei, den er ikke merverdiavgiftspliktig").check()
    account = page.get_by_label("Utbetalingskonto")
    await account.fill("1234.56.78904")  # a wrong check digit
    await page.get_by_label("Kontoinnehaver").fill("Avtalefirma AS")
    await page.get_by_role("button", name="Lagre avtalen").click()

    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("Er ikke et gyldig kontonummer eller IBAN")
    await expect(summary).to_be_focused()
    await expect(account).to_have_attribute("aria-invalid", "true")
    await expect(account).to_have_attribute("aria-describedby", re.compile(r"-error\b"))
    await expect(page.get_by_label("Provisjon (prosent)")).to_have_value("12,5")  # kept
    await shot(page, "account-refused")

    await account.fill("1234.56.78903")
    await page.get_by_role("button", name="Lagre avtalen").click()
    await expect(page.get_by_role("status")).to_contain_text("Avtalen er lagret")
    await expect(page.locator("dl.facts")).to_contain_text("Avtale klar")
    await expect(account).to_have_value("1234.56.78903")
    await expect(page.get_by_label("Dekningsrekkefølge")).to_have_value("interest,costs,principal")
    await shot(page, "saved")

    stored = await gateway.get(
        f"/api/v1/ledger/creditors/{creditor['id']}/agreement", headers=admin
    )
    assert {k: stored.json()[k] for k in ("allocation_order", "vat_deductible")} == {
        "allocation_order": ["interest", "costs", "principal"],
        "vat_deductible": False,
    }
    assert stored.json()["payout_account"] == "12345678903"
    await page.goto(f"/oppdragsgivere?q={creditor['name']}")
    await expect(row).to_contain_text("Avtale klar")
    await expect(row).to_contain_text("12,5\u00a0%")
    await shot(page, "listed")
    await page.close()


async def test_a_case_handler_reads_in_the_banks_ocr_file_and_sees_it_matched(
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    kari: BrowserContext,
    handler: BrowserContext,
    shot: Shot,
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"BANK-{secrets.token_hex(4)}")
    case_id = case_path.rsplit("/", 1)[-1]
    case_number = (await creditor.get_by_role("heading", level=1).inner_text()).split()[-1]
    kid = (await creditor.locator("dt:text-is('KID') + dd").inner_text()).strip()

    async def on_the_ledger() -> bool | None:
        response = await gateway.get(f"/api/v1/ledger/cases/{case_id}/economy", headers=admin)
        return True if response.status_code == 200 else None

    await wait_for(on_the_ledger, what="the ledger to know the case")
    unknown = kid_mod10("9" + str(secrets.randbelow(10**11)).zfill(11))
    content = ocr_file((kid, 1_000_00), (unknown, 250_00))

    desk = await handler.new_page()
    await desk.goto("/oversikt")
    await from_menu(desk, "Økonomi", "Bankfiler")
    await expect(desk.get_by_role("heading", level=1)).to_have_text("Bankfiler")
    await shot(desk, "bank-files")
    upload = [{"name": "OCR.TXT", "mimeType": "text/plain", "buffer": content}]
    await desk.get_by_label("Bankfil", exact=True).set_input_files(files=upload)
    await desk.get_by_role("button", name="Last opp og les inn").click()

    await expect(desk).to_have_url(re.compile(r"/saksbehandler/bankfiler/[0-9a-f-]{36}$"))
    await expect(desk.locator("#bankfil-mottatt")).to_have_text("2")
    await expect(desk.locator("#bankfil-plassert")).to_have_text("1")
    await expect(desk.locator("#bankfil-uplassert")).to_have_text("1")
    payments = desk.locator("#bankfil-innbetalinger tbody tr")
    matched = payments.filter(has_text=kid)
    await expect(matched).to_contain_text("Plassert")
    await expect(matched).to_contain_text("kr\u00a01\u00a0000,00")
    await expect(matched.get_by_role("link", name=case_number)).to_be_visible()
    await expect(payments.filter(has_text=unknown)).to_contain_text("Ukjent KID")
    await shot(desk, "matched")

    await desk.goto("/saksbehandler/bankfiler")
    await desk.get_by_label("Bankfil", exact=True).set_input_files(files=upload)
    await desk.get_by_role("button", name="Last opp og les inn").click()
    await expect(desk.get_by_role("status")).to_contain_text("lest inn før")
    await expect(desk.locator("#bankfil-plassert")).to_have_text("1")
    await shot(desk, "seen-before")

    await desk.goto("/saksbehandler/bankfiler")
    broken = [{"name": "feil.txt", "mimeType": "text/plain", "buffer": content[:-84]}]
    await desk.get_by_label("Bankfil", exact=True).set_input_files(files=broken)
    await desk.get_by_role("button", name="Last opp og les inn").click()
    await expect(desk.get_by_role("alert")).to_contain_text("ingenting er lest inn")
    await expect(desk.locator("#filfeil tbody tr").first).to_be_visible()
    # where in the file, by name: the ledger's location code, not OCR's «record type»
    await expect(desk.locator("#filfeil tbody")).to_contain_text("Posttype")
    await expect(desk.locator("#filfeil tbody")).not_to_contain_text("record type")
    await shot(desk, "refused")

    await creditor.goto(case_path + "#okonomi")
    rows = creditor.locator("#innbetalinger tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("kr\u00a01\u00a0000,00")
    await shot(creditor, "creditor-sees-payment")
    await creditor.close()
    await desk.close()
