"""Cases for the end-to-end tests: a valid registration body, and registering it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from servicekit.testing.data import national_identity_number
from servicekit.testing.wait import wait_for

from .identity import SignedIn


def a_case() -> dict[str, Any]:
    today = date.today()
    return {
        "creditor_reference": f"E2E-{uuid.uuid4().hex[:10]}",
        "debtor": {
            "kind": "person",
            "name": "Per Hansen",
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

    return await wait_for(attempt, what="the case to be registered")
