"""axe-core on the portal's main pages: no serious or critical WCAG 2.1 A/AA violations."""

from __future__ import annotations

import uuid

import pytest
from devstack.stack import Stack
from playwright.async_api import Browser, BrowserContext, expect

from .conftest import Shot, axe_violations, new_context, register_by_form

pytestmark = pytest.mark.e2e

CREDITOR_PAGES = ["/oversikt", "/saker", "/registrer", "/import", "/bunter", "/innstillinger"]


async def test_main_pages_have_no_serious_accessibility_violations(
    stack: Stack, browser: Browser, kari: BrowserContext, handler: BrowserContext, shot: Shot
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
    for path in ("/oversikt", case_path):
        await desk.goto(path)
        found[f"{path} (case handler)"] = await axe_violations(desk)
    await desk.close()

    public = await new_context(browser, stack)
    visitor = await public.new_page()
    for path in ("/", "/logg-inn", "/invitation", "/glemt-passord"):
        await visitor.goto(path)
        found[path] = await axe_violations(visitor)
    await shot(visitor, "glemt-passord")
    await public.close()

    assert {path: v for path, v in found.items() if v} == {}
