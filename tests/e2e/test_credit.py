"""Credit reports across services, through the gateway: the agency's price, a creditor's
user buys reports from the bureau simulator (some orders meet faults), the credit service
emits one charge per bought report, and the ledger books exactly those charges on the
creditor's account."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import date
from typing import Any

import httpx
import pytest
from devstack import demo_cases
from devstack.stack import Stack
from reports.domain.money import kroner
from servicekit.testing.wait import wait_for
from simulators import bureau_subjects as s
from simulators.bank import BankSimulator

from .cases_support import a_case, register
from .identity import Login, SignedIn, sign_in
from .money_support import CLIENT_FUNDS, document_of, keyed, ocr_file, post_bank_file, settle
from .test_identity import new_creditor, onboard

pytestmark = pytest.mark.e2e

P = "/api/v1/credit"


@pytest.fixture(scope="module")
async def kari(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo["kari@nordlys.example"])


async def ensure_default_prices(gateway: httpx.AsyncClient, admin: SignedIn) -> None:
    lists = (await gateway.get(f"{P}/price-lists", headers=await admin.headers())).json()
    if any(pl["creditor_id"] is None for pl in lists):
        return
    body = {**demo_cases.DEFAULT_PRICE_LIST, "valid_from": date.today().isoformat()}
    response = await gateway.post(
        f"{P}/price-lists", json=body, headers=keyed(await admin.headers())
    )
    assert response.status_code == 201, response.text


async def order(
    gateway: httpx.AsyncClient, kari: SignedIn, subject: dict[str, str], prices: dict[str, int]
) -> httpx.Response:
    product = "COMPANY_STANDARD" if subject["kind"] == "company" else "PERSON_STANDARD"
    body: dict[str, Any] = {
        "product_code": product,
        "subject": subject,
        "purpose": {
            "code": "CASE_ASSESSMENT",
            "text": "Vurdering av inndriving i saken",
            "case_id": "E2E-1",
        },
        "accepted_price_ore": prices[product],
    }
    for _ in range(20):  # the credit service may not know the demo creditor yet
        response = await gateway.post(f"{P}/orders", json=body, headers=keyed(await kari.headers()))
        if response.status_code != 403:
            return response
        await asyncio.sleep(0.5)
    return response


async def test_bought_reports_are_charged_on_the_creditors_account_exactly_once(
    stack: Stack, gateway: httpx.AsyncClient, kari: SignedIn, agency_admin: SignedIn
) -> None:
    await ensure_default_prices(gateway, agency_admin)
    products = (await gateway.get(f"{P}/products", headers=await kari.headers())).json()
    prices = {p["code"]: p["price"]["unit_price_ore"] for p in products}
    totals = {p["code"]: p["price"]["total_ore"] for p in products}
    bureau = f"http://{stack.config.host}:{stack.config.port('bureau')}"
    async with httpx.AsyncClient(base_url=bureau, timeout=10) as sim:
        queued = await sim.post("/_sim/faults", json={"scenarios": ["500", "502", "403"]})
        assert queued.status_code == 200

    people = [
        s.PERSON_CLEAN,
        s.PERSON_REMARKS,
        s.PERSON_DNUMMER,
        s.PERSON_FNR_2032,
        s.PERSON_BLOCKED,
        s.PERSON_DECEASED,
    ] * 3
    responses = await asyncio.gather(
        *(order(gateway, kari, {"kind": "person", "national_id": p}, prices) for p in people)
    )

    assert {r.status_code for r in responses} <= {201, 502}, [r.text for r in responses]
    bought = {r.json()["id"] for r in responses if r.status_code == 201}
    failed = [r.json() for r in responses if r.status_code == 502]
    assert len(bought) + len(failed) == len(people)
    assert len(failed) == 3
    assert {f["order_status"] for f in failed} == {"failed"}
    me = (await gateway.get("/api/v1/auth/me", headers=await kari.headers())).json()
    path = f"/api/v1/ledger/creditors/{me['organisation_id']}/credit-report-charges"

    async def booked() -> set[str] | None:
        charges = (await gateway.get(path, headers=await kari.headers())).json()["charges"]
        ids = {c["charge_id"] for c in charges}
        return ids if bought <= ids else None

    charged = await wait_for(booked, what="the ledger to book the charges", seconds=60)
    ours = [
        c
        for c in (await gateway.get(path, headers=await kari.headers())).json()["charges"]
        if c["charge_id"] in bought
    ]
    assert len(ours) == len(bought)  # one charge per bought report, none twice
    assert not charged & {f["order_id"] for f in failed}  # no charge for a failure
    assert sum(c["amount_ore"] for c in ours) == len(bought) * totals["PERSON_STANDARD"]
    spec = (await gateway.get(f"{P}/specification", headers=await kari.headers())).json()
    assert bought <= {line["order_id"] for line in spec["lines"]}


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


async def test_a_bought_report_is_deducted_on_the_creditors_next_settlement_statement(
    stack: Stack,
    gateway: httpx.AsyncClient,
    admin: dict[str, str],
    agency_admin: SignedIn,
    demo: dict[str, Login],
) -> None:
    """A new creditor's orderer (its own settlement for today, no other test's charges)
    buys a report, a case of the creditor is paid in full, and the settlement deducts the
    charge: the ledger's settlement, its event and the reports service's statement (PDF)
    show it as a line."""
    creditor = await new_creditor(stack, gateway, admin)
    login = await onboard(
        stack, gateway, admin, creditor.organisation_id, ["creditor", "credit_orderer"]
    )
    kari = await sign_in(gateway, login)  # the new creditor's orderer
    handler = await sign_in(gateway, demo["saksbehandler@infocenter.example"])
    await ensure_default_prices(gateway, agency_admin)
    products = (await gateway.get(f"{P}/products", headers=await kari.headers())).json()
    prices = {p["code"]: p["price"]["unit_price_ore"] for p in products}
    bought = await order(
        gateway, kari, {"kind": "company", "organisation_number": s.AS_HEALTHY}, prices
    )
    assert bought.status_code == 201, bought.text
    ours = bought.json()["id"]
    creditor_id = bought.json()["creditor_id"]
    charges_path = f"/api/v1/ledger/creditors/{creditor_id}/credit-report-charges"

    async def charges() -> dict[str, Any]:
        answer = await gateway.get(charges_path, headers=admin)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def booked() -> bool:
        return any(c["charge_id"] == ours for c in (await charges())["charges"])

    await wait_for(booked, what="the ledger to book the charge", seconds=60)

    body = a_case()
    case = await register(gateway, kari, body)
    economy = f"/api/v1/ledger/cases/{case['case_id']}/economy"

    async def owed() -> int | None:
        answer = await gateway.get(economy, headers=await kari.headers())
        return int(answer.json()["balance_ore"]) if answer.status_code == 200 else None

    balance = await wait_for(owed, what="the claim to reach the ledger")
    paid = await post_bank_file(gateway, handler, ocr_file(case["kid"], balance))
    assert paid["allocated"] == 1  # collected for the creditor: enough to deduct from
    run = await settle(gateway, admin, creditor_id, "Nordlys Energi AS")
    (settlement_id,) = run["settlement_ids"]
    settlement = (
        await gateway.get(f"/api/v1/ledger/settlements/{settlement_id}", headers=admin)
    ).json()
    after = await charges()
    deducted = [c for c in after["charges"] if c["settlement_id"] == settlement_id]
    assert ours in {c["charge_id"] for c in deducted}
    assert settlement["credit_report_charges_ore"] == sum(c["amount_ore"] for c in deducted)
    assert after["pending_ore"] == 0
    assert [c["charge_id"] for c in deducted] == [ours]

    payout = await gateway.get(
        f"/api/v1/ledger/payout-files/{run['payout_message_id']}", headers=admin
    )
    receipt = BankSimulator(account=CLIENT_FUNDS).receive_pain001(payout.content)
    answer = await gateway.post(
        "/api/v1/ledger/payout-answers",
        content=receipt.status_report,
        headers={**keyed(admin), "Content-Type": "application/xml"},
    )
    assert answer.status_code == 200, answer.text
    statement = await wait_for(
        lambda: document_of(gateway, kari, settlement_id, "settlement_statement"),
        what="the settlement statement",
        seconds=60,
    )
    pdf = await gateway.get(statement["content_url"], headers=await kari.headers())
    printed = pdf_text(pdf.content).replace("\u202f", " ").replace("\u00a0", " ")
    line = next(row for row in printed.splitlines() if "kredittopplysninger" in row)
    expected = kroner(settlement["credit_report_charges_ore"]).replace("\u202f", " ")
    assert expected in line, line
