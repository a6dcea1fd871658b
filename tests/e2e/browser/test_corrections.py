"""A settlement statement corrected in the browser: the agency administrator opens
«Korriger» on the demo creditor's statement in «Dokumenter», gives the reason (the
creditor's name was wrong) and issues the credit note; the creditor then sees the
statement marked «kreditert», linked to its credit note and new statement, and downloads
the credit note. axe-core on the correction page with no serious or critical violations."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from devstack.demo_cases import CLIENT_FUNDS_ACCOUNT
from playwright.async_api import BrowserContext, expect
from servicekit.testing.wait import wait_for
from simulators.bank import BankSimulator

from .conftest import Shot, axe_violations, register_by_form
from .test_money import pay

pytestmark = pytest.mark.e2e


def _keyed(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


async def _paid_out_statement(
    gateway: httpx.AsyncClient, admin: dict[str, str], creditor_id: str, name: str, kid: str
) -> dict[str, Any]:
    """A settlement with the creditor up to yesterday, paid out (the bank's acceptance
    uploaded), and its statement once the reports service has issued it."""
    yesterday = date.today() - timedelta(days=1)
    await pay(gateway, admin, amount_ore=1_000_00, kid=kid, value_date=yesterday.isoformat())
    agreement_path = f"/api/v1/ledger/creditors/{creditor_id}/agreement"
    if (await gateway.get(agreement_path, headers=admin)).json().get("updated_at") is None:
        body = {"commission_percent": "10", "payout_account": "1234.56.78903", "payout_name": name}
        agreed = await gateway.put(agreement_path, json=body, headers=_keyed(admin))
        assert agreed.status_code == 200, agreed.text
    run = await gateway.post(
        "/api/v1/ledger/settlement-runs",
        json={"period_end": yesterday.isoformat(), "creditor_ids": [creditor_id]},
        headers=_keyed(admin),
    )
    assert run.status_code == 201, run.text
    (settlement_id,) = run.json()["settlement_ids"]
    settlement = (
        await gateway.get(f"/api/v1/ledger/settlements/{settlement_id}", headers=admin)
    ).json()
    if settlement["status"] == "pending":
        payout = await gateway.get(
            f"/api/v1/ledger/payout-files/{settlement['payout_message_id']}", headers=admin
        )
        receipt = BankSimulator(account=CLIENT_FUNDS_ACCOUNT).receive_pain001(payout.content)
        answered = await gateway.post(
            "/api/v1/ledger/payout-answers",
            content=receipt.status_report,
            headers={**_keyed(admin), "Content-Type": "application/xml"},
        )
        assert answered.status_code == 200, answered.text

    async def issued() -> dict[str, Any] | None:
        found = await gateway.get(
            "/api/v1/reports/documents",
            params={"source_id": settlement_id, "kind": "settlement_statement"},
            headers=admin,
        )
        items: list[dict[str, Any]] = found.json()["items"]
        return items[-1] if items else None  # the first issued (a replacement is newer)

    return await wait_for(issued, what="the settlement statement", seconds=90, every=1)


async def test_an_agency_admin_credits_a_statement_and_the_creditor_sees_it_credited(
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    kari: BrowserContext,
    agnes: BrowserContext,
    shot: Shot,
) -> None:
    creditor = await kari.new_page()
    case_path = await register_by_form(creditor, f"KRED-{uuid.uuid4().hex[:8]}")
    kid = (await creditor.locator("dt:text-is('KID') + dd").inner_text()).strip()
    case = await gateway.get(f"/api/v1/cases/{case_path.rsplit('/', 1)[-1]}", headers=admin)
    creditor_id = case.json()["creditor_id"]
    name = (await gateway.get(f"/api/v1/auth/organisations/{creditor_id}", headers=admin)).json()[
        "name"
    ]
    statement = await _paid_out_statement(gateway, admin, creditor_id, name, kid)
    number = statement["number"]

    office = await agnes.new_page()
    await office.goto(f"/dokumenter?slag=settlement_statement&oppdragsgiver={creditor_id}")
    row = office.locator("#zipskjema table tbody tr", has_text=number)
    await expect(row).to_have_count(1)
    await row.get_by_role("link", name=f"Korriger {number}").click()
    await expect(office).to_have_url(re.compile(r"/dokumenter/[0-9a-f-]{36}/korriger$"))
    await expect(office.get_by_role("heading", level=1)).to_have_text(
        f"Korriger avregning {number}"
    )
    # nothing chosen: said in Norwegian, nothing issued
    await office.get_by_role("button", name="Utsted kreditnota").click()
    await expect(office.get_by_role("alert")).to_contain_text("Velg hva som er feil.")
    await office.get_by_label("Oppdragsgivers navn (ny avregning utstedes)").check()
    await shot(office, "correction")
    violations = await axe_violations(office)
    await office.get_by_role("button", name="Utsted kreditnota").click()
    await expect(office.get_by_role("status")).to_contain_text(
        "Avregningen er kreditert (Oppdragsgivers navn"
    )
    await expect(office.get_by_role("link", name="Kreditnota")).to_have_count(1)
    await expect(office.get_by_role("link", name="Ny avregning")).to_have_count(1)
    violations += await axe_violations(office)
    await shot(office, "correction-done")
    await office.close()

    # the creditor's «Dokumenter»: the statement «kreditert», the credit note naming it
    await creditor.goto("/dokumenter?slag=settlement_statement")
    original = creditor.locator("#zipskjema table tbody tr", has_text=number).filter(
        has_text="kreditert"
    )
    await expect(original).to_have_count(1)
    await expect(original.get_by_role("link", name="Ny avregning")).to_have_count(1)
    await expect(creditor.locator("a[href$='/korriger']")).to_have_count(0)  # staff only
    await creditor.goto("/dokumenter?slag=credit_note")
    credit = creditor.locator("#zipskjema table tbody tr", has_text=f"Korrigerer {number}")
    await expect(credit).to_have_count(1)
    await expect(credit).to_contain_text("Kreditnota")
    await shot(creditor, "documents-credit-note")
    async with creditor.expect_download() as download:
        await credit.get_by_role("link", name=re.compile(r"kreditnota-.*\.pdf")).click()
    assert (await download.value).suggested_filename.startswith("kreditnota-AVR-")
    await creditor.close()
    assert violations == []
