"""Commands through the API: idempotency keys, bad input as problem+json, bank files,
the unmatched queue, reversals, rates and settlements voided and run again."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from ledger.bootstrap import LedgerService
from servicekit.testing.http import assert_problem

from .bank import camt, ocr
from .books import Ledger, new_kid

pytestmark = pytest.mark.integration

P = "/api/v1/ledger"


def key(value: str | None = None) -> dict[str, str]:
    return {"Idempotency-Key": value or str(uuid.uuid4())}


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


async def test_the_same_key_replays_and_another_body_is_refused(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    case = await ledger.case((100_000, date(2025, 5, 1)))
    body = {
        "bank_reference": str(uuid.uuid4()),
        "amount_ore": 40_000,
        "value_date": "2025-05-01",
        "kid": case.kid,
    }
    headers = {**ledger.handler, **key("pay-once")}
    first = await client.post(f"{P}/payments", json=body, headers=headers)
    again = await client.post(f"{P}/payments", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    conflict = await client.post(
        f"{P}/payments", json={**body, "amount_ore": 40_001}, headers=headers
    )
    assert_problem(conflict, 422, "idempotency-key-reused")
    # a new key but the same bank reference: the bank transaction is not booked twice
    fresh = await client.post(f"{P}/payments", json=body, headers={**ledger.handler, **key()})
    assert fresh.json()["duplicates"] == 1
    economy = await client.get(f"{P}/cases/{case.case_id}/economy", headers=ledger.handler,
                               params={"as_of": "2025-05-01"})  # fmt: skip
    assert economy.json()["balance_ore"] == 60_000


async def test_bad_input_is_a_problem_naming_the_field(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    handler = ledger.handler
    missing_key = await client.post(f"{P}/payments", json={}, headers=handler)
    assert "Idempotency-Key" in fields(assert_problem(missing_key, 422))
    bad = await client.post(
        f"{P}/payments",
        json={"bank_reference": "", "amount_ore": -5, "value_date": "2025-13-01", "kid": "12x"},
        headers={**handler, **key()},
    )
    assert fields(assert_problem(bad, 422)) >= {"bank_reference", "amount_ore", "value_date", "kid"}
    both = await client.post(
        f"{P}/payments",
        json={"bank_reference": "r", "amount_ore": 5, "value_date": "2025-05-01"},
        headers={**handler, **key()},
    )
    assert fields(assert_problem(both, 422)) == {"kid"}
    unknown = await client.post(
        f"{P}/payments",
        json={
            "bank_reference": str(uuid.uuid4()),
            "amount_ore": 5,
            "value_date": "2025-05-01",
            "case_id": str(uuid.uuid4()),
        },
        headers={**handler, **key()},
    )
    assert_problem(unknown, 404)
    as_of = await client.get(
        f"{P}/cases/{uuid.uuid4()}/economy", params={"as_of": "yesterday"}, headers=handler
    )
    assert "as_of" in fields(assert_problem(as_of, 422))
    far = await client.get(
        f"{P}/cases/{uuid.uuid4()}/economy", params={"as_of": "9999-12-31"}, headers=handler
    )
    assert "as_of" in fields(assert_problem(far, 422))
    old = await ledger.case((10_000, date(2012, 5, 1)))  # before the first rate we know
    before_rates = await client.post(
        f"{P}/payments",
        json={
            "bank_reference": str(uuid.uuid4()),
            "amount_ore": 5,
            "value_date": "2013-01-02",
            "kid": old.kid,
        },
        headers={**handler, **key()},
    )
    assert_problem(before_rates, 422, "rate-missing")
    economy = await client.get(
        f"{P}/cases/{old.case_id}/economy", params={"as_of": "2013-01-02"}, headers=handler
    )
    assert "as_of" in fields(assert_problem(economy, 422))
    order = await client.put(
        f"{P}/creditors/{ledger.creditor_id}/agreement",
        json={"commission_percent": "5", "allocation_order": ["costs", "interest"]},
        headers={**ledger.admin, **key()},
    )
    assert fields(assert_problem(order, 422)) == {"allocation_order"}
    account = await client.put(
        f"{P}/creditors/{ledger.creditor_id}/agreement",
        json={"commission_percent": "5", "payout_account": "12345678904"},
        headers={**ledger.admin, **key()},
    )
    assert fields(assert_problem(account, 422)) == {"payout_account"}


async def test_bank_files_malformed_empty_too_large_or_imported_twice(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    handler = ledger.handler
    broken = await client.post(
        f"{P}/bank-files",
        params={"format": "ocr"},
        content=b"NY000010 this is not an OCR file\r\n",
        headers={**handler, **key()},
    )
    assert assert_problem(broken, 422, "bank-file-rejected")["errors"]
    garbage = await client.post(
        f"{P}/bank-files",
        params={"format": "camt054"},
        content=b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
        headers={**handler, **key()},
    )
    [not_xml] = assert_problem(garbage, 422, "bank-file-rejected")["errors"]
    assert not_xml["code"] == "bank-file-not-xml"
    empty = await client.post(
        f"{P}/bank-files", params={"format": "ocr"}, content=b"", headers={**handler, **key()}
    )
    assert_problem(empty, 422)
    no_format = await client.post(f"{P}/bank-files", content=b"x", headers={**handler, **key()})
    assert "format" in fields(assert_problem(no_format, 422))

    case = await ledger.case((100_000, date(2025, 5, 2)))
    data = ocr(service, date(2025, 5, 2), (case.kid, 30_000), (None, 5_000))
    limit = service.settings.bank_file_max_bytes
    service.settings.bank_file_max_bytes = 100
    try:
        too_large = await client.post(
            f"{P}/bank-files", params={"format": "ocr"}, content=data, headers={**handler, **key()}
        )
        assert_problem(too_large, 413)
    finally:
        service.settings.bank_file_max_bytes = limit
    first = await client.post(
        f"{P}/bank-files", params={"format": "ocr"}, content=data, headers={**handler, **key()}
    )
    assert first.status_code == 201, first.text
    assert (first.json()["allocated"], first.json()["unmatched"]) == (1, 1)
    second = await client.post(
        f"{P}/bank-files", params={"format": "ocr"}, content=data, headers={**handler, **key()}
    )
    assert second.status_code == 200
    assert second.json() == first.json()


async def test_unmatched_and_ambiguous_payments_are_resolved_by_a_case_handler(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    handler = ledger.handler
    case = await ledger.case((100_000, date(2025, 5, 3)))
    shared = new_kid()
    twin_a = await ledger.case((10_000, date(2025, 5, 3)), kid=shared)
    twin_b = await ledger.case((10_000, date(2025, 5, 3)), kid=shared, creditor_id=uuid.uuid4())
    unknown_kid = new_kid()
    imported = await client.post(
        f"{P}/bank-files",
        params={"format": "camt054"},
        content=camt(service, date(2025, 5, 3), (unknown_kid, 70_000), (shared, 10_000)),
        headers={**handler, **key()},
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["unmatched"] == 2
    queue = (await client.get(f"{P}/unmatched-payments", headers=handler)).json()
    mine = {q["kid"]: q for q in queue if q["kid"] in {unknown_kid, shared}}
    assert mine[unknown_kid]["reason"] == "unknown_kid"
    assert mine[shared]["reason"] == "ambiguous_kid"
    assert set(mine[shared]["candidate_case_ids"]) == {str(twin_a.case_id), str(twin_b.case_id)}

    resolve = f"{P}/unmatched-payments/{mine[unknown_kid]['payment_id']}/resolution"
    done = await client.post(
        resolve,
        json={"action": "allocate", "case_id": str(case.case_id), "designation": ["principal"]},
        headers={**handler, **key()},
    )
    assert done.status_code == 200, done.text
    twice = await client.post(resolve, json={"action": "refund"}, headers={**handler, **key()})
    assert_problem(twice, 409, "already-resolved")
    refund = await client.post(
        f"{P}/unmatched-payments/{mine[shared]['payment_id']}/resolution",
        json={"action": "refund"},
        headers={**handler, **key()},
    )
    assert refund.status_code == 200
    economy = (
        await client.get(
            f"{P}/cases/{case.case_id}/economy", params={"as_of": "2025-05-03"}, headers=handler
        )
    ).json()
    assert economy["balance_ore"] == 30_000
    trial = (await client.get(f"{P}/journal/trial-balance", headers=ledger.admin)).json()
    assert trial["total_ore"] == 0


async def test_a_bank_reversal_takes_the_payment_back(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    handler = ledger.handler
    case = await ledger.case((100_000, date(2025, 5, 4)))
    paid = await client.post(
        f"{P}/bank-files",
        params={"format": "camt054"},
        content=camt(service, date(2025, 5, 4), (case.kid, 100_000)),
        headers={**handler, **key()},
    )
    assert paid.json()["settled_case_ids"] == [str(case.case_id)]
    taken_back = await client.post(
        f"{P}/bank-files",
        params={"format": "camt054"},
        content=camt(service, date(2025, 5, 6), (case.kid, -100_000)),
        headers={**handler, **key()},
    )
    assert taken_back.json()["reversed"] == 1, taken_back.text
    economy = (
        await client.get(
            f"{P}/cases/{case.case_id}/economy", params={"as_of": "2025-05-04"}, headers=handler
        )
    ).json()
    assert (economy["balance_ore"], economy["settled_on"]) == (100_000, None)
    detail = await client.get(f"{P}/payments/{paid.json()['payment_ids'][0]}", headers=handler)
    assert detail.json()["status"] == "reversed"
    assert [a["kind"] for a in detail.json()["allocations"]] == ["payment", "reversal"]


async def test_a_payment_is_corrected_by_a_linked_reversal(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    case = await ledger.case((100_000, date(2025, 5, 5)))
    summary = await ledger.pay(case.kid, 25_000, date(2025, 5, 5))
    path = f"{P}/payments/{summary.payment_ids[0]}/reversal"
    first = await client.post(
        path, json={"reason": "wrong case"}, headers={**ledger.handler, **key()}
    )
    assert first.status_code == 201, first.text
    again = await client.post(
        path, json={"reason": "wrong case"}, headers={**ledger.handler, **key()}
    )
    assert_problem(again, 409, "payment-state")
    economy = await ledger.economy(case.case_id, date(2025, 5, 5))
    assert economy.balance_ore == 100_000


async def test_a_confirmed_rows_source_must_be_a_primary_one_over_https(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    """Adding a version and confirming a seeded row: a competitor's page or a plain http
    address is refused with a field code the portal translates; nothing is stored."""
    version = {"kind": "inkassosats", "effective_from": "2044-01-01", "value": "900",
               "unit": "NOK", "parameter": ""}  # fmt: skip
    for source, code in (
        ("https://sergel.no/faq/satser-inkassosalaer/", "source-not-primary"),
        ("http://lovdata.no/forskrift/1989-07-14-562", "source-not-https"),
    ):
        refused = await client.post(
            f"{P}/rates", json={**version, "source_url": source}, headers={**ledger.admin, **key()}
        )
        body = assert_problem(refused, 422, "validation-error")
        [error] = body["errors"]
        assert (error["field"], error["code"]) == ("source_url", code)
    stored = await client.get(
        f"{P}/rates", params={"kind": "inkassosats", "on": "2044-01-01"}, headers=ledger.admin
    )
    assert "2044-01-01" not in {r["effective_from"] for r in stored.json()}

    waiting = (
        await client.get(
            f"{P}/rates", params={"kind": "forsinkelsesrente", "status": "unconfirmed"},
            headers=ledger.admin,
        )
    ).json()  # fmt: skip
    assert waiting, "the seed has unconfirmed forsinkelsesrente rows"
    confirm = f"{P}/rates/{waiting[0]['id']}/confirmation"
    blog = {"source_url": "https://www.inkassoguiden.no/index.php/inkassoomkostninger"}
    refused = await client.post(confirm, json=blog, headers={**ledger.admin, **key()})
    [error] = assert_problem(refused, 422)["errors"]
    assert (error["field"], error["code"], error["host"]) == (
        "source_url", "source-not-primary", "inkassoguiden.no"
    )  # fmt: skip
    still = await client.get(
        f"{P}/rates", params={"kind": "forsinkelsesrente", "status": "unconfirmed"},
        headers=ledger.admin,
    )  # fmt: skip
    assert waiting[0]["id"] in {r["id"] for r in still.json()}


async def test_an_unconfirmed_rate_is_confirmed_by_an_admin(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    unconfirmed = (
        await client.get(
            f"{P}/rates",
            params={"kind": "inkassosats", "status": "unconfirmed"},
            headers=ledger.admin,
        )
    ).json()
    assert [(r["effective_from"], r["value"]) for r in unconfirmed] == [
        ("2026-01-01", "750.000000")
    ]
    bad = await client.post(
        f"{P}/rates",
        json={"kind": "inkassosats", "effective_from": "2027-01-01", "value": "800",
              "unit": "kroner", "source_url": "not a url"},
        headers={**ledger.admin, **key()},
    )  # fmt: skip
    assert fields(assert_problem(bad, 422)) == {"unit", "source_url"}
    rate_id = unconfirmed[0]["id"]
    confirm = f"{P}/rates/{rate_id}/confirmation"
    source = {"source_url": "https://www.finanstilsynet.no/inkassosatsen"}
    done = await client.post(confirm, json=source, headers={**ledger.admin, **key()})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed"
    twice = await client.post(confirm, json=source, headers={**ledger.admin, **key()})
    assert_problem(twice, 409, "rate-confirmed")
    missing = await client.post(
        f"{P}/rates/999999/confirmation", json=source, headers={**ledger.admin, **key()}
    )
    assert_problem(missing, 404)
    case = await ledger.case((1_000_000, date(2026, 1, 15)))
    await ledger.steps(
        case.case_id,
        ("inkassovarsel_sent", date(2026, 2, 2)),
        ("betalingsoppfordring_sent", date(2026, 3, 2)),
    )
    economy = await ledger.economy(case.case_id, date(2026, 3, 2))
    # the varsel fee follows the confirmed sats: 1/20 * 750 = 37.50 (not 38); 0.8 * 750
    assert [f["amount_ore"] for f in economy.fees] == [3_750, 60_000]
    # the row stays confirmed: no other test relies on 700 in 2026
