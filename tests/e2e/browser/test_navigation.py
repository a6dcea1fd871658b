"""The main menu in every role: one line at 1280 px, groups that open and close as a person
expects (mouse, keyboard, Escape), the case list's filters folded on a phone, and a public
front page with the language switch and no way into ops."""

from __future__ import annotations

import re

import pytest
from devstack.stack import Stack
from playwright.async_api import Browser, BrowserContext, Page, expect

from .conftest import Shot, axe_violations, from_menu, new_context

pytestmark = pytest.mark.e2e


async def top_row_offsets(page: Page) -> set[int]:
    """The vertical offset of every top-level item of the main menu (one value = one line)."""
    offsets: list[int] = await page.locator("nav[aria-label='Hovedmeny'] > ul > li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    return set(offsets)


async def test_every_roles_menu_fits_one_line_at_1280_px(
    kari: BrowserContext,
    nora: BrowserContext,
    handler: BrowserContext,
    agnes: BrowserContext,
    shot: Shot,
) -> None:
    roles = {
        "creditor": kari,
        "creditor-admin": nora,
        "case-handler": handler,
        "agency-admin": agnes,
    }
    lines: dict[str, set[int]] = {}
    heights: dict[str, float] = {}
    for role, context in roles.items():
        page = await context.new_page()
        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.goto("/oversikt")
        lines[role] = await top_row_offsets(page)
        header = await page.locator("header.site-header").bounding_box()
        assert header is not None
        heights[role] = header["height"]
        await shot(page, f"menu-{role}")
        await page.close()

    assert {role: len(offsets) for role, offsets in lines.items()} == dict.fromkeys(roles, 1)
    # the brand, the menu and the tools share one row
    assert all(height < 80 for height in heights.values()), heights


async def test_a_menu_group_opens_closes_and_leads_to_its_page(agnes: BrowserContext) -> None:
    page = await agnes.new_page()
    await page.goto("/oversikt")
    navigation = page.get_by_role("navigation", name="Hovedmeny")
    admin = navigation.locator("details", has=page.locator("summary", has_text="Administrasjon"))
    money = navigation.locator("details", has=page.locator("summary", has_text="Økonomi"))

    await admin.locator("summary").click()
    await expect(admin.get_by_role("link", name="Satser")).to_be_visible()
    await money.locator("summary").click()  # one open at a time
    await expect(admin.get_by_role("link", name="Satser")).to_be_hidden()
    await expect(money.get_by_role("link", name="Bankfiler")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(money.get_by_role("link", name="Bankfiler")).to_be_hidden()
    await expect(money.locator("summary")).to_be_focused()

    await page.keyboard.press("Enter")  # the keyboard opens it again
    await expect(money.get_by_role("link", name="Bankfiler")).to_be_visible()
    await page.locator("footer").click()  # a click elsewhere closes it
    await expect(money.get_by_role("link", name="Bankfiler")).to_be_hidden()

    await from_menu(page, "Rapporter", "Lagrede rapporter")
    await expect(page).to_have_url(re.compile(r"/rapporter/lagrede$"))
    group = navigation.locator("details[data-active]")
    await expect(group.locator("summary")).to_have_text("Rapporter")
    assert await axe_violations(page) == []


async def test_the_case_filters_fold_away_on_a_phone(kari: BrowserContext, shot: Shot) -> None:
    page = await kari.new_page()
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto("/saker")
    search = page.get_by_role("search")

    await expect(search).to_be_hidden()
    await shot(page, "folded")
    await page.get_by_text("Filtrer og sorter").click()
    await expect(search).to_be_visible()

    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.goto("/saker")
    await expect(search).to_be_visible()
    await expect(page.get_by_text("Filtrer og sorter")).to_be_hidden()


async def test_the_front_page_speaks_both_languages_and_keeps_ops_out(
    browser: Browser, stack: Stack, shot: Shot
) -> None:
    context = await new_context(browser, stack)
    page = await context.new_page()
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "InfoCenter \N{EN DASH} portal for oppdragsgivere"
    )
    await expect(page.locator("a[href='/ops']")).to_have_count(0)
    assert await axe_violations(page) == []

    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "InfoCenter \N{EN DASH} portal for creditors"
    )
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await shot(page, "front-page-en")
    await page.get_by_role("link", name="Norsk").click()
    await expect(page.locator("html")).to_have_attribute("lang", "nb")
    await context.close()


async def test_sessions_name_the_device_as_a_person_would(kari: BrowserContext) -> None:
    page = await kari.new_page()
    await page.goto("/innstillinger")
    sessions = page.locator("table", has_text="Denne økten")

    await expect(sessions).to_contain_text("Chrome på Linux")
    await expect(sessions).not_to_contain_text("Mozilla/5.0")
