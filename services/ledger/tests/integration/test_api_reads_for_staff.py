"""What agency staff read to work: imported bank files with their payments, and which
creditors have an agreement stored (and since when)."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from ledger.bootstrap import LedgerService
from servicekit.testing.http import assert_problem

from .bank import ocr
from .books import Ledger, new_kid

pytestmark = pytest.mark.integration

P = "/api/v1/ledger"


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_an_imported_bank_file_is_listed_with_its_payments_matched_or_not(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    case = await ledger.case((100_000, date(2025, 5, 1)))
    unknown = new_kid()
    imported = await client.post(
        f"{P}/bank-files",
        params={"format": "ocr"},
        content=ocr(service, date(2025, 5, 2), (case.kid, 40_000), (unknown, 12_300)),
        headers={**ledger.handler, **key()},
    )
    assert imported.status_code == 201, imported.text
    file_id = imported.json()["bank_file_id"]

    listed = await client.get(f"{P}/bank-files", params={"limit": 5}, headers=ledger.handler)
    assert listed.status_code == 200, listed.text
    newest = listed.json()[0]
    assert newest["bank_file_id"] == file_id
    assert newest["format"] == "ocr"
    assert (newest["summary"]["allocated"], newest["summary"]["unmatched"]) == (1, 1)

    older = await client.get(f"{P}/bank-files", params={"before": file_id}, headers=ledger.admin)
    assert file_id not in {f["bank_file_id"] for f in older.json()}

    detail = await client.get(f"{P}/bank-files/{file_id}", headers=ledger.handler)
    assert detail.status_code == 200, detail.text
    rows = {p["kid"]: p for p in detail.json()["payments"]}
    assert rows[case.kid]["status"] == "allocated"
    assert rows[case.kid]["case_id"] == str(case.case_id)
    assert rows[case.kid]["unmatched_reason"] is None
    economy = await client.get(f"{P}/cases/{case.case_id}/economy", headers=ledger.handler)
    assert rows[case.kid]["case_number"] == economy.json()["case_number"]
    assert rows[unknown]["case_number"] is None
    assert rows[unknown]["status"] == "unmatched"
    assert rows[unknown]["unmatched_reason"] == "unknown_kid"
    assert rows[unknown]["amount_ore"] == 12_300

    assert_problem(await client.get(f"{P}/bank-files/{uuid.uuid4()}", headers=ledger.handler), 404)
    assert_problem(await client.get(f"{P}/bank-files", headers=ledger.creditor()), 403)


async def test_agreements_say_whether_one_is_stored(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    agreed, without = uuid.uuid4(), uuid.uuid4()
    before = await client.get(f"{P}/creditors/{agreed}/agreement", headers=ledger.admin)
    assert before.status_code == 200, before.text
    assert before.json()["updated_at"] is None
    assert before.json()["allocation_order"] == ["costs", "interest", "principal"]

    put = await client.put(
        f"{P}/creditors/{agreed}/agreement",
        json={
            "commission_percent": "12.5",
            "allocation_order": ["principal", "interest", "costs"],
            "vat_deductible": False,
            "payout_account": "1234 56 78903",
            "payout_name": "Nordlys Energi AS",
        },
        headers={**ledger.admin, **key()},
    )
    assert put.status_code == 200, put.text
    assert put.json()["updated_at"] is not None
    assert put.json()["payout_account"] == "12345678903"

    after = await client.get(f"{P}/creditors/{agreed}/agreement", headers=ledger.handler)
    assert after.json()["updated_at"] == put.json()["updated_at"]

    listed = await client.get(
        f"{P}/creditor-agreements",
        params=[("creditor_id", str(agreed)), ("creditor_id", str(without))],
        headers=ledger.handler,
    )
    assert listed.status_code == 200, listed.text
    assert [a["creditor_id"] for a in listed.json()] == [str(agreed)]
    assert listed.json()[0]["commission_percent"] == "12.5000"
    assert listed.json()[0]["vat_deductible"] is False

    none_asked = await client.get(f"{P}/creditor-agreements", headers=ledger.handler)
    assert_problem(none_asked, 422)
    own = ledger.creditor(agreed)
    assert_problem(
        await client.get(f"{P}/creditor-agreements?creditor_id={agreed}", headers=own), 403
    )
