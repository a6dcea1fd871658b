"""«API-klienter» in a real browser: a creditor admin finds it under «Innstillinger»,
creates a client, sees the secret once (and it works), and revokes the client."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from devstack.stack import Stack
from playwright.async_api import BrowserContext, Dialog, expect

from .conftest import Shot, axe_violations

pytestmark = pytest.mark.e2e


async def test_create_see_the_secret_once_and_revoke(
    nora: BrowserContext, stack: Stack, shot: Shot
) -> None:
    page = await nora.new_page()
    await page.goto("/innstillinger")
    await page.get_by_role("link", name="API-klienter").click()
    await expect(page).to_have_url(re.compile(r"/api-klienter$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("API-klienter")

    name = f"Regnskap {uuid.uuid4().hex[:6]}"
    await page.get_by_role("button", name="Opprett klient").click()  # no name: told so
    await expect(page.locator(".error-message").first).to_be_visible()

    await page.get_by_label("Navn").fill(name)
    # the label's text begins with the space after its box
    await page.get_by_label(re.compile(r"^\s*Registrere saker")).check()
    await page.get_by_role("button", name="Opprett klient").click()
    await expect(page.get_by_role("heading", name="Hemmeligheten vises bare nå")).to_be_visible()
    secret = (await page.get_by_test_id("client-secret").inner_text()).strip()
    client_id = (await page.get_by_test_id("client-id").inner_text()).strip()
    assert secret.startswith("ics_")
    assert await axe_violations(page) == []
    await shot(page, "api-client-secret")

    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as api:
        token = await api.post(
            "/api/v1/auth/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret),
        )
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "cases:read cases:write"

    await page.goto("/api-klienter")
    assert secret not in await page.content()
    row = page.get_by_test_id("api-client").filter(has_text=name)
    await expect(row).to_contain_text("Aktiv")

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.once("dialog", accept)
    await row.get_by_role("button", name=re.compile("^Trekk tilbake")).click()
    await expect(page.get_by_text("API-klienten er trukket tilbake.")).to_be_visible()
    await expect(page.get_by_test_id("api-client").filter(has_text=name)).to_contain_text(
        "Trukket tilbake"
    )
    await shot(page, "api-client-revoked")
    await page.close()
