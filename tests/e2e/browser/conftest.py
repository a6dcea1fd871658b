"""The portal in a real browser: Debian's Chromium, driven by Playwright, on the e2e stack.

One headless Chromium for the whole run (``/usr/bin/chromium``; Playwright's own browser
download is not used). Each demo user signs in once, through the sign-in pages with a
TOTP code, into a browser context that lives for the run: tests open pages in it, so the
cookies (and their refreshes) stay with one browser, as they would for a person.
Screenshots land in ``var/artifacts/browser/<test>/``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from devstack.stack import Stack
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from servicekit.testing.data import national_identity_number

from ..identity import Login, _fresh_code

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "var" / "artifacts" / "browser"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

KARI = "kari@nordlys.example"
NORA = "admin@nordlys.example"
HANDLER = "saksbehandler@infocenter.example"
AGENCY_ADMIN = "admin@infocenter.example"

Shot = Callable[[Page, str], Awaitable[None]]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


async def new_context(browser: Browser, stack: Stack, **options: object) -> BrowserContext:
    context = await browser.new_context(
        base_url=stack.url, locale="nb-NO", viewport={"width": 1280, "height": 900}, **options
    )
    context.set_default_timeout(30_000)
    return context


async def sign_in(page: Page, login: Login, *, lands_on: str = r"/oversikt$") -> None:
    """Through the pages as a person: e-mail and password, then the app's code.

    Starts on the sign-in page unless the page is on it already (sent there).
    """
    if "/logg-inn" not in page.url:
        await page.goto("/logg-inn")
    await page.get_by_label("E-postadresse").fill(login.email)
    await page.get_by_label("Passord", exact=True).fill(login.password)
    await page.get_by_role("button", name="Fortsett").click()
    await expect(page.get_by_role("heading", name="Kode fra autentiseringsappen")).to_be_visible()
    await page.get_by_label("Engangskode").fill(await _fresh_code(login))
    await page.get_by_role("button", name="Logg inn").click()
    await expect(page).to_have_url(re.compile(lands_on))


async def from_menu(page: Page, group: str, link: str) -> None:
    """Open a group of the main menu (a disclosure) and follow one of its links."""
    navigation = page.get_by_role("navigation", name="Hovedmeny")
    await navigation.locator("summary", has_text=group).click()
    await navigation.get_by_role("link", name=link, exact=True).click()


async def _signed_in_context(browser: Browser, stack: Stack, login: Login) -> BrowserContext:
    context = await new_context(browser, stack)
    page = await context.new_page()
    await sign_in(page, login)
    await page.close()
    return context


@pytest.fixture(scope="session")
async def kari(browser: Browser, stack: Stack, demo: dict[str, Login]) -> BrowserContext:
    """Kari Kreditor (creditor at Nordlys), signed in for the whole run."""
    return await _signed_in_context(browser, stack, demo[KARI])


@pytest.fixture(scope="session")
async def handler(browser: Browser, stack: Stack, demo: dict[str, Login]) -> BrowserContext:
    """Sander Saksbehandler (case handler at the agency), signed in for the whole run."""
    return await _signed_in_context(browser, stack, demo[HANDLER])


@pytest.fixture(scope="session")
async def nora(browser: Browser, stack: Stack, demo: dict[str, Login]) -> BrowserContext:
    """Nora Nordlys (creditor admin at Nordlys), signed in for the whole run."""
    return await _signed_in_context(browser, stack, demo[NORA])


@pytest.fixture(scope="session")
async def agnes(browser: Browser, stack: Stack, demo: dict[str, Login]) -> BrowserContext:
    """Agnes Admin (agency administrator), signed in for the whole run."""
    return await _signed_in_context(browser, stack, demo[AGENCY_ADMIN])


@pytest.fixture
async def shot(request: pytest.FixtureRequest) -> Shot:
    """``await shot(page, "step")`` saves a full-page screenshot as an artifact."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    taken = 0

    async def take(page: Page, name: str) -> None:
        nonlocal taken
        taken += 1
        await page.screenshot(path=str(folder / f"{taken:02d}-{name}.png"), full_page=True)

    return take


async def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is.

    axe is injected at test time, evaluated through the browser's debugging protocol (so
    the portal's strict CSP stays on); the portal never serves it.
    """
    await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = await page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            resultTypes: ["violations"],
        })).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
        }))"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


async def register_by_form(page: Page, reference: str) -> str:
    """A valid case through the form; the case page's path."""
    today = date.today()
    await page.goto("/registrer")
    await page.get_by_label("Din referanse").fill(reference)
    await page.get_by_label("Navn", exact=True).fill("Kari Skyldnersen")
    await page.get_by_label("Fødselsnummer eller D-nummer").fill(national_identity_number())
    await page.get_by_label("Adresse", exact=True).fill("Fjordveien 3")
    await page.get_by_label("Postnummer").fill("5003")
    await page.get_by_label("Poststed").fill("Bergen")
    await page.get_by_label("Fakturanummer").fill("9001")
    await page.get_by_label("Fakturadato").fill((today - timedelta(days=45)).strftime("%d.%m.%Y"))
    await page.get_by_label("Forfallsdato").fill((today - timedelta(days=25)).strftime("%d.%m.%Y"))
    await page.get_by_label("Ubetalt beløp (kr)").fill("4 990")
    await page.get_by_role("button", name="Registrer saken").click()
    await expect(page).to_have_url(re.compile(r"/saker/[0-9a-f-]{36}\?melding=registrert"))
    return urlsplit(page.url).path
