"""Money for the end-to-end tests: the bank's OCR files, posting them, settling a creditor,
and finding the reports service's documents (one place for what several modules do)."""

from __future__ import annotations

import secrets
import uuid
from datetime import date
from typing import Any

import httpx
from ledger.settings import LedgerSettings
from simulators.bank import IncomingPayment, ocr_giro_file

from .identity import SignedIn

CLIENT_FUNDS = LedgerSettings().client_funds_account  # the stack runs the ledger's default


def keyed(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` with a fresh ``Idempotency-Key``."""
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def ocr_file(kid: str, amount_ore: int) -> bytes:
    """The bank's OCR giro file with one payment to the client funds account, today."""
    return ocr_giro_file(
        [IncomingPayment(amount_ore=amount_ore, kid=kid)],
        account=CLIENT_FUNDS,
        settlement_date=date.today(),
        transmission_number=secrets.randbelow(9_000_000) + 1,
        assignment_number=secrets.randbelow(9_000_000) + 1,
        first_archive_reference=secrets.randbelow(900_000_000),
    )


async def post_bank_file(
    gateway: httpx.AsyncClient, handler: SignedIn, content: bytes
) -> dict[str, Any]:
    """A case handler reads in an OCR file; what it gave."""
    response = await gateway.post(
        "/api/v1/ledger/bank-files",
        params={"format": "ocr"},
        content=content,
        headers={**keyed(await handler.headers()), "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def settle(
    gateway: httpx.AsyncClient, admin: dict[str, str], creditor_id: str, payout_name: str
) -> dict[str, Any]:
    """An agreement for the creditor (10 % commission), then a settlement run up to today."""
    agreement = await gateway.put(
        f"/api/v1/ledger/creditors/{creditor_id}/agreement",
        json={
            "commission_percent": "10",
            "payout_account": "1234.56.78903",
            "payout_name": payout_name,
        },
        headers=keyed(admin),
    )
    assert agreement.status_code == 200, agreement.text
    run = await gateway.post(
        "/api/v1/ledger/settlement-runs",
        json={"period_end": date.today().isoformat(), "creditor_ids": [creditor_id]},
        headers=keyed(admin),
    )
    assert run.status_code == 201, run.text
    result: dict[str, Any] = run.json()
    return result


async def document_of(
    gateway: httpx.AsyncClient, who: SignedIn, source_id: Any, kind: str
) -> dict[str, Any] | None:
    """The reports service's document of ``kind`` for a batch or settlement, once issued."""
    response = await gateway.get(
        "/api/v1/reports/documents",
        params={"source_id": str(source_id), "kind": kind},
        headers=await who.headers(),
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items[0] if items else None
