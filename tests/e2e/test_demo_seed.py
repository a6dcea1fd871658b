"""The demo data `make up` seeds (devstack.demo_cases), on the test stack through the
gateway: a first run registers the demo cases and works on them as the demo users would,
settles with the demo creditor and uploads the bank's answer, so at least one order
confirmation and one settlement statement are issued; a second run adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from devstack import demo_cases
from devstack.demo_cases import Demo, seed
from devstack.stack import Stack
from servicekit.testing.wait import wait_for

from .identity import Login, SignedIn, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def kari(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[demo_cases.CREDITOR])


@pytest.fixture(scope="module")
async def handler(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[demo_cases.CASE_HANDLER])


async def _newest_batch(gateway: httpx.AsyncClient, kari: SignedIn) -> str:
    found = await gateway.get(
        "/api/v1/cases/batches", params={"limit": 1}, headers=await kari.headers()
    )
    assert found.status_code == 200, found.text
    return str(found.json()["items"][0]["batch_id"])


def _bank_answers(folder: Path) -> list[bytes]:
    return [path.read_bytes() for path in folder.glob("pain002-*.xml")]


async def _case(gateway: httpx.AsyncClient, who: SignedIn, ref: str) -> dict[str, Any]:
    listed = await gateway.get(
        "/api/v1/cases", params={"creditor_reference": ref}, headers=await who.headers()
    )
    (summary,) = listed.json()["items"]
    detail = await gateway.get(f"/api/v1/cases/{summary['case_id']}", headers=await who.headers())
    found: dict[str, Any] = detail.json()
    return found


async def test_the_demo_seed_works_once_and_then_adds_nothing(
    stack: Stack,
    gateway: httpx.AsyncClient,
    kari: SignedIn,
    handler: SignedIn,
    agency_admin: SignedIn,
    tmp_path: Path,
) -> None:
    def a_demo() -> Demo:
        return Demo(gateway, creditor=kari, handler=handler, admin=agency_admin, out_dir=tmp_path)

    first = await seed(a_demo())
    # other tests on this stack may have given Nordlys an agreement or a settlement already
    assert {"24 cases", "an OCR file", "a case paid in full", "a note and its answer"} <= set(
        first
    ), first
    assert "an objection" in first
    batch = await _newest_batch(gateway, kari)

    assert await seed(a_demo()) == []
    assert await _newest_batch(gateway, kari) == batch  # no second batch, not even empty

    async def order_confirmation() -> list[dict[str, Any]] | None:
        found = await gateway.get(
            "/api/v1/reports/documents",
            params={"source_id": batch, "kind": "order_confirmation"},
            headers=await kari.headers(),
        )
        assert found.status_code == 200, found.text
        items: list[dict[str, Any]] = found.json()["items"]
        return items or None

    (confirmation,) = await wait_for(
        order_confirmation, what="the demo batch's order confirmation", seconds=60
    )
    assert confirmation["media_type"] == "application/pdf"

    for ref in demo_cases.references():
        listed = await gateway.get(
            "/api/v1/cases", params={"creditor_reference": ref}, headers=await kari.headers()
        )
        assert len(listed.json()["items"]) == 1, ref

    async def closed_as_paid() -> bool | None:
        case = await _case(gateway, kari, demo_cases.PAID_IN_FULL)
        return True if (case["status"], case["closed_reason"]) == ("closed", "paid") else None

    await wait_for(closed_as_paid, what="the demo case paid in full to close")
    noted = await _case(gateway, kari, demo_cases.WITH_NOTES)
    assert [n["author_side"] for n in noted["notes"]] == ["creditor", "agency"]
    disputed = await _case(gateway, handler, demo_cases.WITH_OBJECTION)
    assert disputed["status"] == "disputed"

    queue = await gateway.get(
        "/api/v1/ledger/unmatched-payments", params={"limit": 1000}, headers=await handler.headers()
    )
    unmatched = [p for p in queue.json() if p["kid"] == demo_cases.UNMATCHED_KID]
    assert [p["amount_ore"] for p in unmatched] == [demo_cases.UNMATCHED_ORE]
    partly = await _case(gateway, kari, next(iter(demo_cases.PAID_PARTLY)))
    economy = await gateway.get(
        f"/api/v1/ledger/cases/{partly['case_id']}/economy", headers=await kari.headers()
    )
    assert economy.json()["paid_ore"] == next(iter(demo_cases.PAID_PARTLY.values()))
    bought = await gateway.get("/api/v1/credit/orders", headers=await kari.headers())
    orders = [o for o in bought.json()["orders"] if demo_cases.is_demo_order(o)]
    assert [(o["status"], o["price"]["unit_price_ore"]) for o in orders] == [
        ("completed", demo_cases.DEFAULT_PRICE_LIST["items"][0]["unit_price_ore"])
    ]
    # the bank's answer was uploaded: no payout waits, none is left for a person to upload
    me = await gateway.get("/api/v1/auth/me", headers=await kari.headers())
    nordlys = str(me.json()["organisation_id"])
    settlements = await gateway.get(
        "/api/v1/ledger/settlements",
        params={"creditor_id": nordlys},
        headers=await agency_admin.headers(),
    )
    assert settlements.status_code == 200, settlements.text
    assert settlements.json(), "the demo creditor has no settlement"
    assert {s["status"] for s in settlements.json()} == {"posted"}
    assert _bank_answers(tmp_path) == []
    # and the demo creditor has its settlement statement (the seed waited for it)
    documents = await gateway.get(
        "/api/v1/reports/documents",
        params={"kind": "settlement_statement"},
        headers=await kari.headers(),
    )
    assert documents.status_code == 200, documents.text
    issued = {d["source_id"] for d in documents.json()["items"]}
    assert {str(s["settlement_id"]) for s in settlements.json()} <= issued
    (statement, *_) = documents.json()["items"]
    assert statement["number"].startswith("AVR-")
    assert statement["organisation_id"] == nordlys
