"""A creditor and a case handler talk about a case through the portal."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import BrowserContext, expect

from .conftest import Shot, register_by_form

pytestmark = pytest.mark.e2e


async def test_a_note_reaches_the_case_handler_and_the_answer_comes_back_internal_stays_inside(
    kari: BrowserContext, handler: BrowserContext, shot: Shot
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"NOTE-{uuid.uuid4().hex[:8]}")
    case_number = (await creditor.get_by_role("heading", level=1).inner_text()).split()[-1]
    question = f"Skyldner sier kravet er betalt ({uuid.uuid4().hex[:6]}). Kan dere sjekke?"
    await creditor.get_by_label("Ny melding").fill(question)
    await creditor.get_by_role("button", name="Send melding").click()
    await expect(creditor.get_by_role("status")).to_contain_text("Meldingen er sendt")
    await expect(creditor.locator(".note-body", has_text=question)).to_be_visible()
    await shot(creditor, "creditor-asks")

    desk = await handler.new_page()
    await desk.goto("/oversikt")
    unread = desk.get_by_role("link", name=f"Sak {case_number}")
    await expect(unread).to_be_visible()
    await shot(desk, "handler-overview-unread")
    await unread.click()
    await expect(desk.locator(".note-body", has_text=question)).to_be_visible()
    await expect(desk.locator(".note", has_text=question).locator(".new-tag")).to_be_visible()
    answer = "Vi har ikke mottatt betaling. Vi sender ny påminnelse."
    await desk.get_by_label("Ny melding").fill(answer)
    await desk.get_by_label("Oppdragsgiver og saksbehandlere").check()
    await desk.get_by_role("button", name="Send melding").click()
    await expect(desk.locator(".note-body", has_text=answer)).to_be_visible()
    secret = "Intern: skyldner har betalingsanmerkning, vurder rettslig skritt."
    await desk.get_by_label("Ny melding").fill(secret)
    await desk.get_by_label("Bare saksbehandlere (intern)").check()
    await desk.get_by_role("button", name="Send melding").click()
    await expect(desk.locator(".note-internal .note-body", has_text=secret)).to_be_visible()
    await shot(desk, "handler-answers")

    await creditor.goto(case_path)
    await expect(creditor.locator(".note-body", has_text=answer)).to_be_visible()
    await expect(creditor.locator(".note", has_text=answer).locator(".new-tag")).to_be_visible()
    await expect(creditor.get_by_text(secret)).to_have_count(0)
    await expect(creditor.locator(".note-internal")).to_have_count(0)
    await shot(creditor, "creditor-reads-answer")
    await creditor.goto("/oversikt")
    await expect(creditor.get_by_role("link", name=f"Sak {case_number}")).to_have_count(0)
    await creditor.close()
    await desk.close()


async def test_the_case_handler_does_not_get_the_creditor_pages(
    handler: BrowserContext, shot: Shot
) -> None:
    page = await handler.new_page()
    await page.goto("/oversikt")
    navigation = page.get_by_role("navigation", name="Hovedmeny")
    await expect(navigation.get_by_role("link", name="Registrer sak")).to_have_count(0)
    response = await page.goto("/registrer")
    assert response is not None
    assert response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ingen tilgang")
    await shot(page, "forbidden")
    await page.close()


async def test_the_case_handler_registers_and_resolves_an_objection_from_the_work_queue(
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    kari: BrowserContext,
    handler: BrowserContext,
    shot: Shot,
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"OBJ-{uuid.uuid4().hex[:8]}")
    case_number = (await creditor.get_by_role("heading", level=1).inner_text()).split()[-1]
    await expect(creditor.locator("dt:text-is('Oppdragsgiver')")).to_have_count(0)  # their own
    case = await gateway.get(f"/api/v1/cases/{case_path.rsplit('/', 1)[-1]}", headers=admin)
    creditor_id = case.json()["creditor_id"]
    organisation = await gateway.get(f"/api/v1/auth/organisations/{creditor_id}", headers=admin)
    creditor_name = organisation.json()["name"]

    desk = await handler.new_page()
    await desk.goto(case_path)
    await expect(desk.locator("dt:text-is('Oppdragsgiver') + dd")).to_have_text(creditor_name)
    await desk.locator("summary", has_text="Registrer innsigelse").click()
    form = desk.locator("#handling-register_objection")
    await form.get_by_label("Hva skyldner innvender").fill("Varen ble aldri levert.")
    await form.get_by_role("button", name="Registrer innsigelse").click()
    await expect(desk.get_by_role("status")).to_contain_text("Handlingen er utført")
    await expect(desk.locator(".status-tag").first).to_have_text("Innsigelse")
    await shot(desk, "objection-registered")

    await desk.goto("/saksbehandler?grunn=objection")
    row = desk.locator("tbody tr", has=desk.get_by_role("link", name=case_number))
    await expect(row).to_contain_text("Innsigelse må avgjøres")
    await expect(row).to_contain_text(creditor_name)
    await shot(desk, "work-queue")
    await row.get_by_role("link", name=case_number).click()

    await creditor.goto(case_path)
    await expect(creditor.locator(".status-tag").first).to_have_text("Innsigelse")
    await expect(creditor.locator("#handling-register_objection")).to_have_count(0)
    await shot(creditor, "creditor-sees-objection")

    await desk.locator("summary", has_text="Avgjør innsigelsen").click()
    resolve = desk.locator("#handling-resolve_objection")
    await resolve.get_by_label("Inndrivingen fortsetter").check()
    await resolve.get_by_role("button", name="Avgjør innsigelsen").click()
    await expect(desk.get_by_role("status")).to_contain_text("Handlingen er utført")
    await expect(desk.locator(".status-tag").first).not_to_have_text("Innsigelse")
    await shot(desk, "objection-resolved")
    await creditor.close()
    await desk.close()
