"""The ops pages in a browser: an ops user finds «Driftsoversikt» in the menu, reads the
dashboards (on a phone too), and replays a dead letter from the page; it is consumed."""

from __future__ import annotations

import re

import pytest
from devstack.stack import Stack
from playwright.async_api import Browser, BrowserContext, expect
from servicekit.testing.wait import wait_for

from ..identity import Login
from ..ops_support import creditor_recorded, organisation_registered, put_dead_letter
from .conftest import Shot, _signed_in_context, axe_violations

pytestmark = pytest.mark.e2e

OPS = "drift@infocenter.example"


@pytest.fixture(scope="module")
async def dina(browser: Browser, stack: Stack, demo: dict[str, Login]) -> BrowserContext:
    """Dina Drift (case handler with the ops role), signed in."""
    return await _signed_in_context(browser, stack, demo[OPS])


async def test_an_ops_user_replays_a_dead_letter_from_the_page(
    dina: BrowserContext, stack: Stack, shot: Shot
) -> None:
    organisation, envelope = organisation_registered()
    await put_dead_letter(stack, envelope)
    page = await dina.new_page()
    await page.goto("/oversikt")
    await (
        page.get_by_role("navigation", name="Hovedmeny")
        .get_by_role("link", name="Driftsoversikt")
        .click()
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Drift")
    await expect(page.get_by_role("heading", name="Varsler som er utløst")).to_be_visible()
    assert await axe_violations(page) == []
    await shot(page, "ops-overview")

    await page.get_by_role("navigation", name="Tjenester").get_by_role("link", name="cases").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Drift: cases")
    await page.get_by_role("link", name="Døde meldinger i cases").click()
    row = page.get_by_role("row").filter(has_text=str(envelope.event_id)[:8])
    await expect(row).to_contain_text("auth.organisation.registered")
    assert await axe_violations(page) == []
    await shot(page, "dead-letters")
    await row.get_by_role("button", name=f"Spill av {envelope.event_id}").click()
    await expect(page.get_by_role("status")).to_contain_text("sendt tilbake til køen")
    await shot(page, "replayed")

    async def consumed() -> bool:
        return await creditor_recorded(stack, organisation)

    await wait_for(consumed, what="the replayed event consumed", seconds=60)
    await page.close()


async def test_the_dashboards_read_on_a_phone(
    browser: Browser, stack: Stack, dina: BrowserContext, shot: Shot
) -> None:
    phone = await browser.new_context(
        base_url=stack.url,
        locale="nb-NO",
        viewport={"width": 390, "height": 844},
        storage_state=await dina.storage_state(),
    )
    phone.set_default_timeout(30_000)
    page = await phone.new_page()
    for path in ("/ops", "/ops/cases"):
        await page.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_contain_text("Drift")
        overflow = await page.evaluate(
            "(m => m.scrollWidth - m.clientWidth)(document.querySelector('main'))"
        )
        assert overflow <= 0, f"{path} scrolls sideways on a phone by {overflow}px"
        await shot(page, f"phone{path.replace('/', '-')}")
    await phone.close()


async def test_an_agency_admin_takes_ops_away_and_gives_it_back(
    agnes: BrowserContext, dina: BrowserContext, shot: Shot
) -> None:
    """Last in this module: taking the role away ends Dina's sessions."""
    page = await agnes.new_page()
    await page.goto("/brukere")
    row = page.get_by_role("row").filter(has_text=OPS)
    await expect(row).to_contain_text("Drift (ops)")
    await row.get_by_role("button", name="Fjern drift-tilgang Dina Drift").click()
    await expect(page.get_by_role("status")).to_contain_text("Drift-tilgangen er fjernet")
    await expect(row).not_to_contain_text("Drift (ops)")
    await shot(page, "ops-revoked")

    ops_page = await dina.new_page()

    async def sent_to_sign_in() -> bool | None:
        # the gateway trusts a session check for its cache time (session_cache_seconds),
        # so the ended session is refused within it, not on the instant
        await ops_page.goto("/ops")
        return True if re.search(r"/logg-inn", ops_page.url) else None

    await wait_for(sent_to_sign_in, what="Dina sent to sign in", seconds=30, every=1.0)
    await ops_page.close()

    await row.get_by_role("button", name="Gi drift-tilgang Dina Drift").click()
    await expect(page.get_by_role("status")).to_contain_text("har fått drift-tilgang")
    await expect(row).to_contain_text("Drift (ops)")
    await page.close()
