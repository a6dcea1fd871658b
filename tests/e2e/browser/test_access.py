"""Who gets in: an invited user's first sign-in, tenancy by URL, and a session that runs out."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from urllib.parse import quote

import httpx
import pyotp
import pytest
from devstack.stack import Stack
from playwright.async_api import Browser, BrowserContext, expect
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.wait import wait_for
from simulators.mail import extract_link

from ..identity import Login, _last_step
from .conftest import NORA, Shot, axe_violations, new_context, register_by_form, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "nordavind kaffe fjell 2026"


async def invitation_link(stack: Stack, to: str) -> str:
    sink = f"http://127.0.0.1:{stack.config.port('mail-http')}"

    async def newest() -> str | None:
        async with httpx.AsyncClient() as client:
            messages = (await client.get(f"{sink}/messages", params={"to": to})).json()
        return messages[0]["text"] if messages else None

    text = await wait_for(newest, what=f"a mail to {to}", seconds=60)
    return extract_link(text, "/invitation")


async def test_an_invited_user_of_another_creditor_enrols_and_cannot_open_the_first_ones_case(
    stack: Stack,
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    browser: Browser,
    kari: BrowserContext,
    shot: Shot,
) -> None:
    creditor = await kari.new_page()
    kari_case = await register_by_form(creditor, f"TENANT-{uuid.uuid4().hex[:8]}")
    await creditor.close()

    created = await gateway.post(
        "/api/v1/auth/organisations",
        json={"name": unique_name("Konkurrent"), "organisation_number": organisation_number()},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    email = f"eva.{secrets.token_hex(4)}@konkurrent.example"
    invited = await gateway.post(
        f"/api/v1/auth/organisations/{created.json()['id']}/users",
        json={
            "email": email,
            "full_name": "Eva Konkurrent",
            "roles": ["creditor_admin", "creditor"],
        },
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    link = await invitation_link(stack, email)
    assert "#token=" in link

    context = await new_context(browser, stack)
    page = await context.new_page()
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Velkommen til InfoCenter")).to_be_visible()
    await expect(page.locator("#token-field")).to_be_hidden()  # taken from the link
    assert "#token=" not in page.url  # and out of the address bar
    await page.get_by_label("Velg passord").fill(PASSWORD)
    await page.get_by_label("Gjenta det nye passordet").fill(PASSWORD)
    await shot(page, "invitation")
    await page.get_by_role("button", name="Fortsett").click()

    await expect(page.get_by_role("heading", name="Ta i bruk autentiseringsappen")).to_be_visible()
    await expect(page.get_by_role("img", name="QR-kode for autentiseringsappen")).to_be_visible()
    secret = (await page.locator("#totp-secret").inner_text()).strip()
    await shot(page, "enrolment")
    step = int(time.time()) // 30
    await page.get_by_label("Kode fra appen").fill(pyotp.TOTP(secret).at(step * 30))
    await page.get_by_role("button", name="Bekreft").click()
    await expect(page.locator("#gjenopprettingskoder li")).to_have_count(10)
    await shot(page, "recovery-codes")
    _last_step[email] = step  # each code works once: signing in needs the next one
    await page.get_by_role("link", name="Jeg har tatt vare på kodene").click()
    await expect(page.get_by_role("status")).to_contain_text("Kontoen din er klar")

    await sign_in(page, Login(email, PASSWORD, secret))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Eva Konkurrent")
    await shot(page, "first-sign-in")

    response = await page.goto(kari_case)
    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Fant ikke siden")
    await expect(page.get_by_text("Kari Skyldnersen")).to_have_count(0)
    await shot(page, "other-creditors-case")
    await page.goto("/saker")
    await expect(page.get_by_text("Ingen saker passer søket.")).to_be_visible()

    await page.goto("/innstillinger")
    await expect(page.get_by_role("cell", name="Denne økten")).to_be_visible()
    password = page.locator("form[action='/innstillinger/passord']")
    await password.get_by_label("Nåværende passord").fill(PASSWORD)
    await password.get_by_label("Nytt passord").fill(PASSWORD + " og mer")
    await password.get_by_label("Gjenta det nye passordet").fill(PASSWORD + " og litt")
    await password.get_by_role("button", name="Bytt passord").click()
    await expect(page.locator("#f-new_password_again-error")).to_have_text(
        "Passordene er ikke like"
    )
    await password.get_by_label("Nåværende passord").fill(PASSWORD)
    await password.get_by_label("Nytt passord").fill(PASSWORD + " og mer")
    await password.get_by_label("Gjenta det nye passordet").fill(PASSWORD + " og mer")
    await password.get_by_role("button", name="Bytt passord").click()
    await expect(page.get_by_role("status")).to_contain_text("Passordet er byttet")
    await shot(page, "password-changed")
    await context.close()


async def test_an_expired_session_is_refreshed_and_a_dead_one_returns_to_the_page_after_sign_in(
    stack: Stack, browser: Browser, demo: dict[str, Login], shot: Shot
) -> None:
    context = await new_context(browser, stack)
    page = await context.new_page()
    await sign_in(page, demo[NORA])
    names = {c["name"] for c in await context.cookies()}
    assert {"__Host-ic_at", "__Host-ic_rt", "__Host-ic_csrf"} <= names
    assert all(
        c["httpOnly"]
        for c in await context.cookies()
        if c["name"] != "__Host-ic_csrf" and c["name"].startswith("__Host-ic_")
    )

    # The access token ran out (the browser drops its cookie): the page refreshes it.
    await context.clear_cookies(name="__Host-ic_at")
    await page.goto("/brukere")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Brukere")
    assert "__Host-ic_at" in {c["name"] for c in await context.cookies()}
    await expect(page.get_by_role("cell", name="kari@nordlys.example")).to_be_visible()
    assert await axe_violations(page) == []
    await shot(page, "refreshed")

    # The session is gone too: back to sign-in with a message, then to the same page.
    # (a refresh token the identity service no longer knows: as after the idle timeout)
    await context.clear_cookies(name="__Host-ic_at")
    await context.clear_cookies(name="__Host-ic_rt")
    await page.evaluate(
        "v => { document.cookie = `__Host-ic_rt=${v}; Path=/; Secure; SameSite=Strict`; }",
        secrets.token_urlsafe(32),
    )
    wanted = "/saker?status=registered"
    await page.goto(wanted)
    await expect(page).to_have_url(
        re.compile(r"/logg-inn\?neste=" + re.escape(quote(wanted, safe="")))
    )
    await expect(page.get_by_role("status")).to_contain_text("Økten din er utløpt")
    await shot(page, "expired")
    await sign_in(page, demo[NORA], lands_on=re.escape(wanted) + "$")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Saker")
    await expect(page.get_by_role("checkbox", name="Registrert")).to_be_checked()
    await shot(page, "back-where-she-was")

    await page.get_by_role("button", name="Logg ut").click()
    await expect(page.get_by_role("status")).to_contain_text("Du er logget ut")
    assert not {c["name"] for c in await context.cookies()} & {"__Host-ic_at", "__Host-ic_rt"}
    await context.close()
