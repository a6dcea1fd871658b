"""«Webhooks» in a real browser: a creditor admin finds it under «Innstillinger», adds an
endpoint at the stack's webhook receiver, sees the secret once, a case registered in the
portal arrives signed (verified by the receiver with the secret) and shows in the delivery
log, is sent again from the log, and the endpoint is disabled; axe on both pages."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from devstack.stack import Stack
from playwright.async_api import BrowserContext, Page, expect
from servicekit.testing.wait import wait_for

from .conftest import Shot, axe_violations, register_by_form

pytestmark = pytest.mark.e2e


async def _received(receiver: httpx.AsyncClient, path: str) -> list[dict[str, object]]:
    answer = await receiver.get("/_sim/received", params={"path": path})
    answer.raise_for_status()
    items: list[dict[str, object]] = answer.json()
    return items


async def _log_shows_delivery(page: Page) -> bool:
    await page.reload()
    return await page.get_by_test_id("webhook-attempt").filter(has_text="Levert").count() > 0


async def test_add_endpoint_receive_signed_events_and_redeliver(
    nora: BrowserContext, stack: Stack, shot: Shot
) -> None:
    receiver_url = f"http://{stack.config.host}:{stack.config.port('webhook-receiver')}"
    path = f"/browser/{uuid.uuid4().hex}"
    page = await nora.new_page()
    await page.goto("/innstillinger")
    await page.get_by_role("link", name=re.compile("^Webhooks")).click()
    await expect(page).to_have_url(re.compile(r"/webhooks$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")

    await page.get_by_role("button", name="Legg til endepunkt").click()  # nothing: told so
    await expect(page.locator(".error-message").first).to_be_visible()
    assert await axe_violations(page) == []

    await page.get_by_label("Adresse (URL)").fill(receiver_url + path)
    await page.get_by_label(re.compile(r"^\s*Sak registrert")).check()
    await page.get_by_role("button", name="Legg til endepunkt").click()
    await expect(page.get_by_role("heading", name="Hemmeligheten vises bare nå")).to_be_visible()
    secret = (await page.get_by_test_id("webhook-secret").inner_text()).strip()
    assert secret.startswith("whsec_")
    assert await axe_violations(page) == []
    await shot(page, "webhook-secret")

    async with httpx.AsyncClient(base_url=receiver_url, timeout=10) as receiver:
        configured = await receiver.put(f"/_sim/paths{path}", json={"secrets": [secret]})
        assert configured.status_code < 300, configured.text

        await register_by_form(page, f"WH-{uuid.uuid4().hex[:8]}")
        await page.goto("/webhooks")
        await page.get_by_role("link", name=receiver_url + path).click()
        await wait_for(
            lambda: _log_shows_delivery(page), what="a delivery in the log", seconds=90, every=1
        )
        received = await _received(receiver, path)
        assert received
        assert all(item["verified"] for item in received)
        assert await axe_violations(page) == []
        await shot(page, "webhook-log")

        first = len(received)
        await (
            page.get_by_test_id("webhook-attempt")
            .first.get_by_role("button", name=re.compile("^Send igjen"))
            .click()
        )
        await expect(page.get_by_text("1 hendelse(r) lagt i kø for ny sending.")).to_be_visible()

        async def sent_again() -> bool:
            return len(await _received(receiver, path)) > first

        await wait_for(sent_again, what="the event sent again", seconds=90, every=0.5)

    await page.get_by_role("button", name="Deaktiver").click()
    await expect(page.get_by_text("Endepunktet er deaktivert.")).to_be_visible()
    await expect(page.get_by_test_id("endpoint-state")).to_have_text("Deaktivert")
    await page.close()
