"""A case's money across services, through the gateway: registered in cases, on the ledger,
paid partly and then fully by bank files, closed as paid, settled with its creditor; the
order confirmation of its registration and the statement of its settlement downloadable
from the reports service."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from servicekit.testing.wait import wait_for
from simulators.bank import BankSimulator

from .cases_support import a_case, register
from .identity import Login, SignedIn, sign_in
from .money_support import CLIENT_FUNDS, document_of, keyed, ocr_file, post_bank_file, settle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def kari(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo["kari@nordlys.example"])


@pytest.fixture(scope="module")
async def handler(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo["saksbehandler@infocenter.example"])


async def test_paid_partly_then_fully_closed_as_paid_and_settled(
    gateway: httpx.AsyncClient, kari: SignedIn, handler: SignedIn, admin: dict[str, str]
) -> None:
    body = a_case()
    principal = body["claims"][0]["principal_ore"]
    case = await register(gateway, kari, body)
    case_path = f"/api/v1/cases/{case['case_id']}"
    creditor_id = (await gateway.get(case_path, headers=await kari.headers())).json()["creditor_id"]
    economy_path = f"/api/v1/ledger/cases/{case['case_id']}/economy"

    async def on_the_ledger() -> dict[str, Any] | None:
        response = await gateway.get(economy_path, headers=await kari.headers())
        return response.json() if response.status_code == 200 else None

    before = await wait_for(on_the_ledger, what="the claim to reach the ledger")
    assert before["balance_ore"] >= principal  # principal, and fees and interest once due

    async def varsel_fee_booked() -> dict[str, Any] | None:
        # The claim is overdue: the scheduler sends the inkassovarsel at once and the ledger
        # books its fee; paying "the balance" before that would leave the fee unpaid.
        economy = await on_the_ledger()
        return economy if economy and economy["fees"] else None

    await wait_for(varsel_fee_booked, what="the inkassovarsel's fee on the ledger", seconds=60)

    partly = await post_bank_file(gateway, handler, ocr_file(case["kid"], 50_000))
    assert (partly["allocated"], partly["settled_case_ids"]) == (1, [])
    between = (await gateway.get(economy_path, headers=await kari.headers())).json()
    assert [p["amount_ore"] for p in between["payments"]] == [50_000]
    assert (between["basis"], between["known_at"]) == ("as_known_now", None)
    assert between["paid_ore"] == 50_000
    assert between["balance_ore"] > 0

    fully = await post_bank_file(gateway, handler, ocr_file(case["kid"], between["balance_ore"]))
    assert fully["settled_case_ids"] == [case["case_id"]]
    paid = (await gateway.get(economy_path, headers=await kari.headers())).json()
    assert paid["balance_ore"] == 0
    assert paid["paid_ore"] == 50_000 + between["balance_ore"]
    assert paid["settled_on"] == date.today().isoformat()

    async def closed_as_paid() -> bool:
        detail = (await gateway.get(case_path, headers=await kari.headers())).json()
        return (detail["status"], detail["closed_reason"]) == ("closed", "paid")

    await wait_for(closed_as_paid, what="the cases service to close the case as paid")

    run = await settle(gateway, admin, creditor_id, "Nordlys Energi AS")
    (settlement_id,) = run["settlement_ids"]
    lines = (
        await gateway.get(
            f"/api/v1/ledger/settlements/{settlement_id}/lines", headers=await kari.headers()
        )
    ).json()
    ours = [line for line in lines if line["case_id"] == case["case_id"]]
    assert sum(line["principal_ore"] for line in ours) == principal
    assert all(
        line["net_ore"]
        == line["principal_ore"]
        + line["interest_ore"]
        + line["reminder_fees_ore"]
        - line["commission_ore"]
        for line in ours
    )

    payout = await gateway.get(
        f"/api/v1/ledger/payout-files/{run['payout_message_id']}", headers=admin
    )
    assert payout.status_code == 200, payout.text
    receipt = BankSimulator(account=CLIENT_FUNDS).receive_pain001(payout.content)
    assert [i.status for i in receipt.instructions] == ["ACCP"]
    answer = await gateway.post(
        "/api/v1/ledger/payout-answers",
        content=receipt.status_report,
        headers={**keyed(admin), "Content-Type": "application/xml"},
    )
    assert answer.status_code == 200, answer.text
    settlement = (
        await gateway.get(
            f"/api/v1/ledger/settlements/{settlement_id}", headers=await kari.headers()
        )
    ).json()
    assert settlement["status"] == "posted"

    statement = await wait_for(
        lambda: document_of(gateway, kari, settlement_id, "settlement_statement"),
        what="the settlement statement from the reports service",
        seconds=60,
    )
    assert statement["number"].startswith(f"AVR-{date.today().year}-")
    content = await gateway.get(statement["content_url"], headers=await kari.headers())
    assert content.status_code == 200, content.text
    assert content.content.startswith(b"%PDF-")
    assert hashlib.sha256(content.content).hexdigest() == statement["sha256"]
    proposal = await document_of(gateway, kari, settlement_id, "posting_proposal")
    assert proposal is not None
    assert proposal["number"] == statement["number"]
    confirmation = await wait_for(
        lambda: document_of(gateway, kari, uuid.UUID(case["batch_id"]), "order_confirmation"),
        what="the order confirmation of the case's registration",
        seconds=30,
    )
    assert confirmation["number"] == case["batch_number"]
