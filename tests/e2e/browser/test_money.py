"""Money in the portal: a paid case's economy, an unmatched payment placed by a case
handler, and the settlement that pays the creditor."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, expect
from servicekit.testing.wait import wait_for

from .conftest import Shot, axe_violations, register_by_form

pytestmark = pytest.mark.e2e


async def pay(gateway: httpx.AsyncClient, admin: dict[str, str], **payment: Any) -> dict[str, Any]:
    """A payment as the bank reports it (by hand, through the ledger's API)."""
    body = {
        "bank_reference": f"BANK-{uuid.uuid4().hex[:12]}",
        "value_date": date.today().isoformat(),
        **payment,
    }
    headers = {**admin, "Idempotency-Key": str(uuid.uuid4())}

    async def attempt() -> dict[str, Any] | None:
        response = await gateway.post("/api/v1/ledger/payments", json=body, headers=headers)
        if response.status_code == 404:  # the ledger has not heard of the case yet
            return None
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    return await wait_for(attempt, what="the ledger to take the payment")


async def test_the_economy_of_a_paid_case_shows_its_payments(
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    kari: BrowserContext,
    handler: BrowserContext,
    shot: Shot,
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"PAY-{uuid.uuid4().hex[:8]}")
    case_number = (await creditor.get_by_role("heading", level=1).inner_text()).split()[-1]
    kid = (await creditor.locator("dt:text-is('KID') + dd").inner_text()).strip()

    await pay(gateway, admin, amount_ore=2_000_00, kid=kid)
    unknown = await pay(gateway, admin, amount_ore=1_500_00, kid="10000000009")
    assert unknown["received"] == 1

    await creditor.goto(case_path + "#okonomi")
    payments = creditor.locator("#innbetalinger tbody tr")
    await expect(payments).to_have_count(1)
    await expect(payments.first).to_contain_text("kr\u00a02\u00a0000,00")
    await expect(creditor.locator("#okonomi-betalt")).to_have_text("kr\u00a02\u00a0000,00")
    await shot(creditor, "paid-once")
    # a balance on a date says whether it is as known now or as booked then
    await expect(creditor.locator("#okonomi-grunnlag")).to_have_text("slik det er kjent nå")
    await creditor.locator("#okonomi-grunnlag-valg").select_option("bokfort")
    await creditor.get_by_role("button", name="Vis", exact=True).click()
    await expect(creditor.locator("#okonomi-grunnlag")).to_have_text("slik det var bokført da")
    await creditor.goto(case_path + "#okonomi")

    desk = await handler.new_page()
    await desk.goto("/saksbehandler/innbetalinger")
    row = desk.locator("#uplasserte tbody tr", has_text="10000000009").first
    await expect(row).to_contain_text("kr\u00a01\u00a0500,00")
    await shot(desk, "unmatched")
    await row.get_by_label("Saksnummer").fill(case_number)
    await row.get_by_role("button", name="Plasser på saken").click()
    await expect(desk.get_by_role("status")).to_contain_text("plassert på saken")
    await shot(desk, "placed")

    await creditor.reload()
    await expect(payments).to_have_count(2)
    await expect(creditor.locator("#okonomi-betalt")).to_have_text("kr\u00a03\u00a0500,00")
    await shot(creditor, "paid-twice")
    await creditor.goto("/oversikt")
    await expect(creditor.locator("#innkrevd")).to_contain_text("kr\u00a0")
    # the recovery rate comes from the reports service's read model
    await expect(creditor.locator("#losningsgrad")).to_contain_text("\u00a0%")
    await expect(creditor.locator("#chart-collected-title")).to_have_count(1)
    assert await axe_violations(creditor) == []
    await shot(creditor, "start-page-key-figures")
    await creditor.close()
    await desk.close()


async def test_an_administrator_sees_which_creditor_a_settlement_pays(
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    kari: BrowserContext,
    agnes: BrowserContext,
    shot: Shot,
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"SETL-{uuid.uuid4().hex[:8]}")
    kid = (await creditor.locator("dt:text-is('KID') + dd").inner_text()).strip()
    await creditor.close()
    case = await gateway.get(f"/api/v1/cases/{case_path.rsplit('/', 1)[-1]}", headers=admin)
    creditor_id = case.json()["creditor_id"]
    organisation = await gateway.get(f"/api/v1/auth/organisations/{creditor_id}", headers=admin)
    name = organisation.json()["name"]
    yesterday = date.today() - timedelta(days=1)
    await pay(gateway, admin, amount_ore=1_000_00, kid=kid, value_date=yesterday.isoformat())
    agreement = await gateway.put(
        f"/api/v1/ledger/creditors/{creditor_id}/agreement",
        json={"commission_percent": "10", "payout_account": "1234.56.78903", "payout_name": name},
        headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert agreement.status_code == 200, agreement.text
    run = await gateway.post(  # up to yesterday: today's runs are other tests' business
        "/api/v1/ledger/settlement-runs",
        json={"period_end": yesterday.isoformat(), "creditor_ids": [creditor_id]},
        headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert run.status_code == 201, run.text
    (settlement_id,) = run.json()["settlement_ids"]  # this run's, or the demo's to yesterday

    office = await agnes.new_page()
    await office.goto("/avregning")
    link = office.locator(f"a[href='/avregning/{settlement_id}']")
    row = office.locator("table tbody tr", has=link)
    await expect(row.get_by_role("link", name=name)).to_have_attribute(
        "href", f"/oppdragsgivere/{creditor_id}"
    )
    await shot(office, "settlements-named")
    await link.click()
    facts = office.locator("dl.facts")
    await expect(facts.locator("dt:text-is('Oppdragsgiver') + dd")).to_have_text(name)
    await shot(office, "settlement-named")
    await assert_lines_add_up(office, to_heading="Til oppdragsgiver")
    await office.close()

    creditor = await kari.new_page()
    await creditor.goto(f"/avregning/{settlement_id}")
    await assert_lines_add_up(creditor, to_heading="Til dere")
    await shot(creditor, "settlement-as-creditor")
    await creditor.close()


def ore(shown: str) -> int:
    """«kr 1 234,50» (a minus sign before a negative one) as øre, read as a person reads it."""
    digits = re.sub(r"[^0-9,\-\u2212]", "", shown).replace("\u2212", "-")
    kroner, _, hundredths = digits.partition(",")
    sign = -1 if kroner.startswith("-") else 1
    return sign * (int(kroner.lstrip("-") or "0") * 100 + int(hundredths or "0"))


async def assert_lines_add_up(page: Page, *, to_heading: str) -> None:
    """Every line of a settlement on the page adds up, computed from the page's own cells."""
    table = page.locator("#avregningslinjer")
    headings = [h.strip() for h in await table.locator("thead th").all_inner_texts()]
    assert headings[-1] == to_heading, headings
    assert "Purregebyr" in headings
    # each line's case by its number (the run may have answered with an earlier settlement
    # of the same period, so which cases it holds is not this test's to know)
    cases = await table.locator("tbody tr td:nth-child(2) a").all_inner_texts()
    assert cases
    assert all(re.fullmatch(r"IC-\d{7}", number) for number in cases), cases
    texts: list[list[str]] = await table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td.number')].map(c => c.innerText))"
    )
    rows = [[ore(text) for text in row] for row in texts]
    assert rows
    for paid, principal, interest, reminder, agency, commission, to_creditor in rows:
        assert paid == principal + interest + reminder + agency
        assert to_creditor == paid - agency - commission
