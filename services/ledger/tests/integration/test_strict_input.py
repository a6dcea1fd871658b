"""What a client sends wrong is a 422 naming the field, never a 500 (issue 18, findings 4, 5).

Money in the ledger's requests is a JSON integer and nothing else; dates are
``YYYY-MM-DD``; text holds no NUL nor unpaired surrogate; every number in a query string is
bounded. A bank file whose bytes hold a NUL is refused as a file, not a crash.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from ledger.bootstrap import LedgerService
from ledger.entrypoints.api import create_app
from servicekit.testing.http import assert_problem
from servicekit.testing.input_schema import loose_inputs

from .bank import ocr
from .books import Ledger

pytestmark = pytest.mark.integration

P = "/api/v1/ledger"


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def refused(response: httpx.Response) -> set[tuple[str, str]]:
    problem = assert_problem(response, 422, "validation-error")
    return {(e["field"], e["code"]) for e in problem["errors"]}


def payment(**changes: Any) -> dict[str, Any]:
    return {
        "bank_reference": str(uuid.uuid4()),
        "amount_ore": 40_000,
        "value_date": "2025-05-01",
        "kid": "0000000000",
        **changes,
    }


async def post_raw(
    client: httpx.AsyncClient, path: str, body: str, headers: dict[str, str]
) -> httpx.Response:
    raw = body.encode("utf-8", "surrogatepass")
    return await client.post(
        path, content=raw, headers={**headers, "content-type": "application/json"}
    )


def test_every_input_is_bounded_in_the_openapi_document(service: LedgerService) -> None:
    assert loose_inputs(create_app(service).openapi()) == []


@pytest.mark.parametrize("loose", ["true", '"100"', "1e3", "100.0", str(10**30)])
async def test_a_payment_amount_is_an_integer_in_range(
    client: httpx.AsyncClient, ledger: Ledger, loose: str
) -> None:
    body = json.dumps(payment(amount_ore=123)).replace(
        '"amount_ore": 123', f'"amount_ore": {loose}'
    )
    response = await post_raw(client, f"{P}/payments", body, {**ledger.handler, **key()})
    [(field, _)] = refused(response)
    assert field == "amount_ore"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/payments", payment(value_date="2025-05-01T00:00:00"), "value_date"),
        ("/settlement-runs", {"period_end": "2025-05-31T23:59:59"}, "period_end"),
    ],
    ids=["payment", "settlement-run"],  # the bodies carry fresh ids per process
)
async def test_a_date_time_is_not_a_date(
    client: httpx.AsyncClient, ledger: Ledger, path: str, body: dict[str, Any], field: str
) -> None:
    response = await client.post(P + path, json=body, headers={**ledger.admin, **key()})
    assert refused(response) == {(field, "date_format")}


async def test_a_nul_or_a_surrogate_in_text_is_named(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    headers = {**ledger.handler, **key()}
    nul = await client.post(f"{P}/payments", json=payment(bank_reference="R\x00"), headers=headers)
    assert refused(nul) == {("bank_reference", "text_nul")}
    body = json.dumps(payment(bank_reference="R-SURR")).replace("R-SURR", "R\\udc00")
    surrogate = await post_raw(client, f"{P}/payments", body, {**ledger.handler, **key()})
    assert refused(surrogate) == {("bank_reference", "text_unicode")}
    reversal = await client.post(
        f"{P}/payments/{uuid.uuid4()}/reversal",
        json={"reason": "feil\x00"},
        headers={**ledger.handler, **key()},
    )
    assert refused(reversal) == {("reason", "text_nul")}
    agreement = await client.put(
        f"{P}/creditors/{uuid.uuid4()}/agreement",
        json={"commission_percent": "10", "payout_account": "1503\x00"},
        headers={**ledger.admin, **key()},
    )
    assert refused(agreement) == {("payout_account", "text_nul")}


@pytest.mark.parametrize(
    ("path", "query", "field", "code"),
    [
        ("/payments", {"limit": str(10**30)}, "limit", "less_than_equal"),
        ("/payments", {"value_from": "2025-01-01T00:00:00"}, "value_from", "date_format"),
        ("/payments", {"value_to": "0001-01-01"}, "value_to", "date_range"),
        ("/unmatched-payments", {"limit": "0"}, "limit", "greater_than_equal"),
        ("/settlements", {"after": "S-1\x00"}, "after", "string_pattern_mismatch"),
        ("/rates", {"kind": "x\x00"}, "kind", "string_pattern_mismatch"),
        ("/rates", {"on": "2025-01-01T00:00:00"}, "on", "date_format"),
        ("/bank-files", {"limit": "-1"}, "limit", "greater_than_equal"),
        ("/journal/trial-balance", {"as_of": "2025-01-01T00:00"}, "as_of", "date_format"),
        (f"/cases/{uuid.uuid4()}/economy", {"basis": "then"}, "basis", "literal_error"),
        (
            f"/cases/{uuid.uuid4()}/economy",
            {"basis": "as_booked_then", "known_at": "2025-07-01T00:00:00"},
            "known_at",
            "timezone_aware",
        ),
    ],
    ids=lambda value: "case" if isinstance(value, str) and value.startswith("/cases/") else None,
)
async def test_the_ledgers_filters_name_what_they_cannot_filter_by(
    client: httpx.AsyncClient,
    ledger: Ledger,
    path: str,
    query: dict[str, str],
    field: str,
    code: str,
) -> None:
    response = await client.get(P + path, params=query, headers=ledger.admin)
    assert refused(response) == {(field, code)}


async def test_a_rate_id_beyond_a_bigint_is_refused(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    response = await client.post(
        f"{P}/rates/{10**30}/confirmation",
        json={"source_url": "https://lovdata.no/"},
        headers={**ledger.admin, **key()},
    )
    assert refused(response) == {("rate_id", "less_than_equal")}


async def test_a_bank_file_with_a_nul_is_refused_as_a_file(
    client: httpx.AsyncClient, ledger: Ledger, service: LedgerService
) -> None:
    case = await ledger.case((100_000, date(2025, 5, 1)))
    data = ocr(service, date(2025, 5, 2), (case.kid, 10_000))
    broken = data.replace(case.kid.encode(), case.kid[:-2].encode() + b"\x00\x00", 1)
    assert broken != data
    response = await client.post(
        f"{P}/bank-files",
        params={"format": "ocr"},
        content=broken,
        headers={**ledger.handler, **key(), "content-type": "text/plain"},
    )
    problem = assert_problem(response, 422, "bank-file-rejected")
    assert any("control character" in e["reason"] for e in problem["errors"])
    coded = [e for e in problem["errors"] if e["code"] == "bank-file-encoding"]
    assert coded  # the portal translates the code; the reason is English, for developers
    assert isinstance(coded[0]["line"], int)
    assert coded[0]["element"] == "encoding"
    assert coded[0]["where"] == "encoding"  # the location as a code the portal names
