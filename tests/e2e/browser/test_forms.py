"""Every error of a form at once, and the case handler's letters and payment plan checked
before they happen (issue 16 §2 and §5), in Chromium."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import asyncpg
import pytest
from devstack.stack import Stack
from playwright.async_api import BrowserContext, Dialog, Page, expect
from servicekit.testing.data import national_identity_number
from servicekit.testing.wait import wait_for

from .conftest import Shot, axe_violations, register_by_form

pytestmark = pytest.mark.e2e


async def _accept(dialog: Dialog) -> None:
    await dialog.accept()


async def _no_serious_violations(page: Page) -> None:
    assert await axe_violations(page) == []


async def test_a_registration_with_three_errors_shows_all_three(
    kari: BrowserContext, shot: Shot
) -> None:
    page = await kari.new_page()
    today = date.today()
    await page.goto("/registrer")
    await page.get_by_label("Din referanse").fill(f"TRE-{uuid.uuid4().hex[:8]}")
    await page.get_by_label("Fødselsnummer eller D-nummer").fill(national_identity_number())
    await page.get_by_label("Adresse", exact=True).fill("Fjordveien 3")
    await page.get_by_label("Postnummer").fill("5003")
    await page.get_by_label("Poststed").fill("Bergen")
    await page.get_by_label("Fakturanummer").fill("9001")
    await page.get_by_label("Fakturadato").fill((today - timedelta(days=45)).strftime("%d.%m.%Y"))
    # three mistakes: no name, a day that does not exist, a negative amount
    await page.get_by_label("Forfallsdato").fill("31.02.2026")
    await page.get_by_label("Ubetalt beløp (kr)").fill("-100")
    await page.get_by_role("button", name="Registrer saken").click()

    summary = page.get_by_role("alert")
    await expect(summary).to_be_visible()
    links = summary.get_by_role("link")
    await expect(links).to_have_count(3)
    await expect(links.nth(0)).to_have_text("Navn: Må fylles ut")
    await expect(links.nth(1)).to_have_text("Krav 1, Forfallsdato: Skriv datoen som dd.mm.åååå")
    await expect(links.nth(2)).to_have_text(
        "Krav 1, Ubetalt beløp (kr): Må være et beløp over null"
    )
    await expect(page.locator(".field-error .error-message")).to_have_count(3)
    await expect(page.get_by_label("Ubetalt beløp (kr)")).to_have_attribute("aria-invalid", "true")
    # the identity number is required for a person: never «valgfritt»
    await expect(
        page.locator("label", has_text="Fødselsnummer eller D-nummer")
    ).not_to_contain_text("valgfritt")
    await links.nth(1).click()
    await expect(page).to_have_url(re.compile(r"#f-claims-0-due_date$"))
    await shot(page, "three-errors")
    await _no_serious_violations(page)
    await page.close()


async def _move_varsel_deadline_to_yesterday(stack: Stack, case_id: str) -> None:
    """As if the inkassovarsel's 14 days had run out and the scheduler had not come yet
    (the e2e stack has no clock to turn): the deadline yesterday, the next step later."""
    connection = await asyncpg.connect(stack.database_url("cases", driver=""))
    try:
        moved = await connection.execute(
            "UPDATE cases SET deadline = current_date - 1, next_step_on = current_date + 30 "
            "WHERE id = $1 AND status = 'notice_sent'",
            uuid.UUID(case_id),
        )
        assert moved == "UPDATE 1"
    finally:
        await connection.close()


async def test_a_case_handler_sends_a_letter_by_hand_after_the_laws_checks(
    kari: BrowserContext, handler: BrowserContext, stack: Stack, shot: Shot
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"BREV-{uuid.uuid4().hex[:8]}")
    await creditor.close()
    case_id = case_path.rsplit("/", 1)[-1]

    desk = await handler.new_page()
    desk.on("dialog", _accept)

    async def varsel_sent() -> bool:  # the scheduler sends it on the day of registration
        await desk.goto(case_path)
        return bool(await desk.locator(".status-tag", has_text="Inkassovarsel sendt").count())

    await wait_for(varsel_sent, what="the scheduler's inkassovarsel", seconds=60, every=1)
    await expect(desk.locator(".status-tag")).to_have_text("Inkassovarsel sendt")
    letters = desk.get_by_role("region", name="Inkassobrev")
    await letters.locator("summary", has_text="Send inkassovarsel nå").click()
    await expect(letters).to_contain_text("Inkassovarselet er allerede sendt")
    await letters.locator("summary", has_text="Send betalingsoppfordring").click()
    await expect(letters).to_contain_text("Inkassovarselets frist løper til og med")
    await shot(desk, "letters-checked-first")

    # sent anyway, it is refused in the page's words (the service's code, translated)
    await letters.locator("#handling-send_betalingsoppfordring button").click()
    summary = desk.get_by_role("alert")
    await expect(summary).to_contain_text("Betalingsoppfordringen kan sendes fra")
    await expect(summary).not_to_contain_text("not possible")
    await _no_serious_violations(desk)

    await _move_varsel_deadline_to_yesterday(stack, case_id)
    await desk.goto(case_path)
    letters = desk.get_by_role("region", name="Inkassobrev")
    await letters.locator("summary", has_text="Send betalingsoppfordring").click()
    await expect(letters.locator("#send_betalingsoppfordring-hindring")).to_have_count(0)
    await letters.get_by_label("Begrunnelse (til historikken)").last.fill(
        "Skyldner har ikke svart på varselet."
    )
    await letters.locator("#handling-send_betalingsoppfordring button").click()
    await expect(desk).to_have_url(re.compile(r"melding=handling"))
    await expect(desk.locator(".status-tag")).to_have_text("Betalingsoppfordring sendt")
    await shot(desk, "betalingsoppfordring-sent-by-hand")
    await _no_serious_violations(desk)
    await desk.close()


async def test_a_payment_plan_that_does_not_pay_the_debt_says_how_much_is_missing(
    kari: BrowserContext, handler: BrowserContext, shot: Shot
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"PLAN-{uuid.uuid4().hex[:8]}")
    await creditor.close()

    desk = await handler.new_page()
    pending = desk.get_by_text("Økonomien for saken er ikke klar ennå")

    async def economy_known() -> bool:  # the ledger learns of it a moment after registration
        await desk.goto(case_path)
        return not await pending.count()

    await wait_for(economy_known, what="the case's economy", seconds=60, every=1)
    plan = desk.locator("#handling-payment_plan")
    await desk.get_by_text("Avtal avdragsordning", exact=True).first.click()
    first = (date.today() + timedelta(days=14)).strftime("%d.%m.%Y")
    await plan.get_by_label("Antall månedlige avdrag").fill("6")
    await plan.get_by_label("Beløp per avdrag (kr)").fill("832")  # kr 4 992: the principal only
    await plan.get_by_label("Første forfall").fill(first)
    await plan.get_by_role("button").click()

    summary = desk.get_by_role("alert")
    await expect(summary).to_contain_text("Avdragene dekker ikke gjelden: det mangler kr")
    message = await desk.locator("#payment_plan-f-amount-error").inner_text()
    needed = re.search(r"Hvert avdrag må være minst kr\s([\d\s]+,\d\d)", message)
    assert needed is not None, message
    await shot(desk, "plan-short")
    await _no_serious_violations(desk)

    plan = desk.locator("#handling-payment_plan")
    await plan.get_by_label("Antall månedlige avdrag").fill("6")
    await plan.get_by_label("Beløp per avdrag (kr)").fill(needed[1].replace("\u00a0", " "))
    await plan.get_by_label("Første forfall").fill(first)
    await plan.get_by_role("button").click()
    await expect(desk).to_have_url(re.compile(r"melding=handling"))
    await expect(desk.locator(".status-tag")).to_have_text("Avdragsordning")
    await shot(desk, "plan-agreed")
    await desk.close()


async def test_the_document_filter_with_three_errors_names_all_three(
    handler: BrowserContext, shot: Shot
) -> None:
    """The filters once said only the message: each entry now names its field and links
    to it (the same FormErrors as every other form)."""
    page = await handler.new_page()
    # the creditor is chosen from a list: a bad one comes by the address (a stale link)
    await page.goto("/dokumenter?fra=31.02.2026&til=i+g%C3%A5r&oppdragsgiver=nordlys")
    summary = page.get_by_role("alert")
    links = summary.get_by_role("link")
    await expect(links).to_have_count(3)
    await expect(links.nth(0)).to_have_text("Utstedt fra: Skriv datoen som dd.mm.åååå")
    await expect(links.nth(1)).to_have_text("Utstedt til og med: Skriv datoen som dd.mm.åååå")
    await expect(links.nth(2)).to_have_text("Oppdragsgiver: Velg en oppdragsgiver fra listen.")
    await links.nth(2).click()
    await expect(page).to_have_url(re.compile(r"#f-oppdragsgiver$"))
    await shot(page, "document-filter-three-errors")

    await page.goto("/saker?from=31.02.2026&to=x")
    links = page.get_by_role("alert").get_by_role("link")
    await expect(links).to_have_count(2)
    await expect(links.nth(0)).to_have_text("Registrert fra: Skriv datoen som dd.mm.åååå")
    await expect(links.nth(1)).to_have_text("Registrert til: Skriv datoen som dd.mm.åååå")
    await _no_serious_violations(page)
    await page.close()
