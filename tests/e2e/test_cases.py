"""A creditor and a case handler work a case through the gateway, between real processes."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from servicekit.testing.data import national_identity_number
from servicekit.testing.wait import wait_for

from .identity import Login, SignedIn, sign_in

pytestmark = pytest.mark.e2e

CREDITOR_EMAIL = "kari@nordlys.example"
CASE_HANDLER_EMAIL = "saksbehandler@infocenter.example"


@pytest.fixture(scope="module")
async def kari(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[CREDITOR_EMAIL])


@pytest.fixture(scope="module")
async def handler(gateway: httpx.AsyncClient, demo: dict[str, Login]) -> SignedIn:
    return await sign_in(gateway, demo[CASE_HANDLER_EMAIL])


def a_case() -> dict[str, Any]:
    today = date.today()
    return {
        "creditor_reference": f"E2E-{uuid.uuid4().hex[:10]}",
        "debtor": {
            "kind": "person",
            "name": "Per Skyldner",
            "national_id": national_identity_number(),
            "address": {"lines": ["Storgata 2"], "postal_code": "0155", "city": "Oslo"},
        },
        "claims": [
            {
                "invoice_number": "2026-118",
                "invoice_date": (today - timedelta(days=40)).isoformat(),
                "due_date": (today - timedelta(days=20)).isoformat(),
                "principal_ore": 1_234_50,
                "reminder_fee_ore": 0,
            }
        ],
    }


async def register(gateway: httpx.AsyncClient, who: SignedIn, body: dict[str, Any]) -> Any:
    """Register once the cases service knows the creditor (its event may still be on the way)."""

    async def attempt() -> Any:
        response = await gateway.post("/api/v1/cases", json=body, headers=await who.headers())
        if response.status_code == 409 and "creditor-unknown" in response.text:
            return None
        assert response.status_code == 201, response.text
        return response.json()

    return await wait_for(attempt, what="the case to be registered", seconds=30)


async def test_register_find_open_and_exchange_notes(
    gateway: httpx.AsyncClient, kari: SignedIn, handler: SignedIn
) -> None:
    body = a_case()
    case = await register(gateway, kari, body)
    path = f"/api/v1/cases/{case['case_id']}"

    listed = await gateway.get(
        "/api/v1/cases",
        params={"creditor_reference": body["creditor_reference"]},
        headers=await kari.headers(),
    )
    assert [c["case_number"] for c in listed.json()["items"]] == [case["case_number"]]
    detail = await gateway.get(path, headers=await kari.headers())
    assert detail.status_code == 200, detail.text
    assert body["debtor"]["national_id"] not in detail.text

    asked = await gateway.post(
        f"{path}/notes", json={"body": "Skyldner bestrider kravet."}, headers=await kari.headers()
    )
    assert asked.status_code == 201, asked.text
    unread = await gateway.get("/api/v1/cases/notes/unread", headers=await handler.headers())
    assert case["case_id"] in {c["case_id"] for c in unread.json()["cases"]}
    for note in (
        {"body": "Vi ser på det."},
        {"body": "Intern: be om dokumentasjon", "visibility": "internal"},
    ):
        answered = await gateway.post(f"{path}/notes", json=note, headers=await handler.headers())
        assert answered.status_code == 201, answered.text

    seen = (await gateway.get(f"{path}/notes", headers=await kari.headers())).json()
    assert [n["body"] for n in seen] == ["Skyldner bestrider kravet.", "Vi ser på det."]
    assert [n["unread"] for n in seen] == [False, True]

    batch = await gateway.get(
        f"/api/v1/cases/batches/{case['batch_id']}", headers=await kari.headers()
    )
    assert batch.json()["cases"][0]["case_number"] == case["case_number"]
