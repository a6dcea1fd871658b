"""An unmatched payment shows what a case handler needs to place it: the payer's name,
account and message from the bank file (issue 16 §5), kept only while it waits."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

import httpx
import pytest
from ledger.bootstrap import LedgerService
from simulators.bank import IncomingPayment, camt054_file

from .books import Ledger

pytestmark = pytest.mark.integration

P = "/api/v1/ledger"


async def test_the_payers_name_account_and_message_wait_with_the_payment(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    handler = ledger.handler
    case = await ledger.case((50_000, date(2025, 5, 3)))
    note = f"Faktura {secrets.token_hex(3)} fra Fjordkiosken"
    content = camt054_file(
        [
            IncomingPayment(
                amount_ore=25_000,
                kid=None,
                payer_name="Kari Betaler",
                payer_account="12345678903",
                message=note,
            )
        ],
        account=service.settings.client_funds_account,
        booking_date=date(2025, 5, 3),
        message_id=f"T-{secrets.token_hex(8)}",
    )
    imported = await client.post(
        f"{P}/bank-files",
        params={"format": "camt054"},
        content=content,
        headers={**handler, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert imported.status_code == 201, imported.text
    queue = (await client.get(f"{P}/unmatched-payments", headers=handler)).json()
    waiting = next(q for q in queue if q.get("message") == note)
    assert (waiting["payer_name"], waiting["payer_account"]) == ("Kari Betaler", "12345678903")

    placed = await client.post(
        f"{P}/unmatched-payments/{waiting['payment_id']}/resolution",
        json={"action": "allocate", "case_id": str(case.case_id)},
        headers={**handler, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert placed.status_code == 200, placed.text
    resolved = (
        await client.get(f"{P}/unmatched-payments", params={"status": "resolved"}, headers=handler)
    ).json()
    done = next(q for q in resolved if q["payment_id"] == waiting["payment_id"])
    assert (done["payer_name"], done["payer_account"], done["message"]) == (None, None, None)
