"""Every endpoint, tried by two organisations: a creditor's users see their own cases,
payments, settlements and agreement and nothing of another creditor's (404, never 403:
not even whether it exists); commands are the agency's (403 for creditor users); nothing
without a token (401). The tables must name every operation of the service's OpenAPI
(:func:`test_the_tables_name_every_endpoint`), so a new endpoint's tenancy is decided here."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from ledger.adapters.repository import CreditorAccountRepository
from ledger.bootstrap import LedgerService
from ledger.domain.model import CreditorAccount
from ledger.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import assert_problem

from .bank import ocr
from .books import Ledger

pytestmark = pytest.mark.integration

P = "/api/v1/ledger"


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


@pytest.fixture
async def world(
    ledger: Ledger, client: httpx.AsyncClient, service: LedgerService
) -> dict[str, str]:
    """Creditor A with a paid case and a pending settlement; creditor B with nothing."""
    a = ledger.creditor_id
    async with service.session_factory() as session, session.begin():
        await CreditorAccountRepository(session).open_if_absent(
            CreditorAccount(organisation_id=a, opened_at=datetime.now(UTC))
        )
    await client.put(
        f"{P}/creditors/{a}/agreement",
        json={"commission_percent": "5", "payout_account": "12345678903", "payout_name": "A AS"},
        headers={**ledger.admin, **key()},
    )
    case = await ledger.case((200_000, date(2025, 5, 1)))
    response = await client.post(
        f"{P}/bank-files",
        params={"format": "ocr"},
        content=ocr(service, date(2025, 5, 1), (case.kid, 200_000)),
        headers={**ledger.handler, **key()},
    )
    payment_id = response.json()["payment_ids"][0]
    bank_file_id = response.json()["bank_file_id"]
    run = await client.post(
        f"{P}/settlement-runs",
        json={"period_end": "2025-05-31", "creditor_ids": [str(a)]},
        headers={**ledger.admin, **key()},
    )
    return {
        "case": str(case.case_id),
        "payment": payment_id,
        "settlement": run.json()["settlement_ids"][0],
        "message": run.json()["payout_message_id"],
        "creditor": str(a),
        "bank_file": bank_file_id,
    }


READS = [
    "/cases/{case}/economy",
    "/cases/{case}/payments",
    "/payments/{payment}",
    "/settlements/{settlement}",
    "/settlements/{settlement}/lines",
    "/creditors/{creditor}/agreement",
    "/creditors/{creditor}/credit-report-charges",
]
LISTS = ["/payments", "/settlements"]
STAFF_READS = [
    "/unmatched-payments",
    "/bank-files",
    "/bank-files/{bank_file}",
    "/creditor-agreements?creditor_id={creditor}",
]
ADMIN_READS = [
    "/payout-files/{message}",
    "/journal/trial-balance",
    "/journal/balances",
    "/creditor-accounts/{creditor}",
]
COMMANDS = [
    ("POST", "/payments", {"bank_reference": "x", "amount_ore": 1, "value_date": "2025-05-02",
                           "kid": "12345678903"}),
    ("POST", "/payments/{payment}/reversal", {"reason": "wrong case"}),
    ("POST", "/bank-files?format=ocr", None),
    ("POST", "/unmatched-payments/{payment}/resolution", {"action": "refund"}),
    ("POST", "/settlement-runs", {"period_end": "2025-05-31"}),
    ("POST", "/settlements/{settlement}/confirmation", {}),
    ("POST", "/settlements/{settlement}/voiding", {"reason": "test"}),
    ("POST", "/payout-answers", None),
    ("POST", "/rates", {"kind": "inkassosats", "effective_from": "2027-01-01", "value": "800",
                        "unit": "NOK", "source_url": "https://lovdata.no/x"}),
    ("POST", "/rates/1/confirmation", {"source_url": "https://lovdata.no/x"}),
    ("PUT", "/creditors/{creditor}/agreement", {"commission_percent": "1"}),
]  # fmt: skip
ADMIN_ONLY = {
    "/settlement-runs",
    "/settlements/{settlement}/confirmation",
    "/settlements/{settlement}/voiding",
    "/payout-answers",
    "/rates",
    "/rates/1/confirmation",
    "/creditors/{creditor}/agreement",
}


#: Computed over one case and stored nothing: the owner and the agency get 200, another
#: creditor 404 (the answer itself: test_plan_check_api).
CASE_CHECKS = [
    ("POST", "/cases/{case}/payment-plan-check",
     {"instalments": [{"due_date": "2030-01-31", "amount_ore": 10_000}]}),
]  # fmt: skip


#: Read by every signed-in user (the rates in force are public knowledge).
SHARED_READS = ["/rates"]
#: Read by anyone, with no token: the confirmed rates in force today (no ids, no statuses).
PUBLIC_READS = ["/rates/in-force"]
#: The OpenAPI's path parameters by the names the tables use.
_PLACEHOLDERS = {
    "{case_id}": "{case}",
    "{payment_id}": "{payment}",
    "{settlement_id}": "{settlement}",
    "{message_id}": "{message}",
    "{organisation_id}": "{creditor}",
    "{creditor_id}": "{creditor}",
    "{bank_file_id}": "{bank_file}",
    "{rate_id}": "1",
}


def test_the_tables_name_every_endpoint(service: LedgerService) -> None:
    def table_form(path: str) -> str:
        for documented, ours in _PLACEHOLDERS.items():
            path = path.replace(documented, ours)
        return path.removeprefix(P)

    documented = {
        (method.upper(), table_form(path))
        for path, operations in create_app(service).openapi()["paths"].items()
        if path.startswith(P) and "/ops/dead-letters" not in path  # servicekit's ops tests
        for method in operations
    }
    gets = READS + LISTS + STAFF_READS + ADMIN_READS + SHARED_READS + PUBLIC_READS
    named = {("GET", path.split("?")[0]) for path in gets}
    named |= {(method, path.split("?")[0]) for method, path, _ in COMMANDS + CASE_CHECKS}
    assert documented == named


async def test_a_case_check_is_for_the_owner_and_the_agency_only(
    client: httpx.AsyncClient, ledger: Ledger, world: dict[str, str]
) -> None:
    own, other = ledger.creditor(), ledger.creditor(uuid.uuid4())
    for method, template, body in CASE_CHECKS:
        path = P + template.format(**world)
        for headers in (own, ledger.handler):
            answer = await client.request(method, path, json=body, headers=headers)
            assert answer.status_code == 200, (path, answer.text)
        assert_problem(await client.request(method, path, json=body, headers=other), 404)
        assert_problem(await client.request(method, path, json=body), 401)


async def test_a_creditor_sees_only_its_own(
    client: httpx.AsyncClient, ledger: Ledger, world: dict[str, str]
) -> None:
    own, other = ledger.creditor(), ledger.creditor(uuid.uuid4())
    for template in READS:
        path = P + template.format(**world)
        assert (await client.get(path, headers=own)).status_code == 200, path
        assert (await client.get(path, headers=ledger.handler)).status_code == 200, path
        assert_problem(await client.get(path, headers=other), 404)
        assert_problem(await client.get(path), 401)
    for template in LISTS:
        mine = (await client.get(P + template, headers=own)).json()
        theirs = (await client.get(P + template, headers=other)).json()
        assert mine
        assert theirs == []
    for template in STAFF_READS + ADMIN_READS:
        path = P + template.format(**world)
        assert_problem(await client.get(path, headers=own), 403)
        assert_problem(await client.get(path, headers=other), 403)
    for template in ADMIN_READS:
        path = P + template.format(**world)
        assert_problem(await client.get(path, headers=ledger.handler), 403)
        assert (await client.get(path, headers=ledger.admin)).status_code == 200, path
    assert (await client.get(f"{P}/rates", headers=other)).status_code == 200
    assert_problem(await client.get(f"{P}/rates"), 401)


async def test_the_rates_in_force_are_public_and_hold_nothing_but_the_figures(
    client: httpx.AsyncClient,
) -> None:
    [path] = PUBLIC_READS
    answer = await client.get(P + path)
    assert answer.status_code == 200
    rows = answer.json()
    assert rows
    fields = {"kind", "parameter", "effective_from", "value", "unit", "source_url"}
    assert all(set(r) == fields for r in rows)
    # the shipped salær table of 1 October 2020 (seven brackets), not the 2016 one
    lett = [r for r in rows if r["kind"] == "salaer_lett"]
    assert {r["effective_from"] for r in lett} == {"2020-10-01"}
    assert len(lett) == 7
    # one row per kind and parameter, none from after today
    assert len({(r["kind"], r["parameter"]) for r in rows}) == len(rows)
    assert max(r["effective_from"] for r in rows) <= date.today().isoformat()


async def test_commands_are_the_agencys(
    client: httpx.AsyncClient, ledger: Ledger, world: dict[str, str]
) -> None:
    creditor_roles = [
        ledger.headers(
            Roles.CREDITOR, Roles.CREDITOR_ADMIN, organisation=uuid.UUID(world["creditor"])
        ),
        ledger.headers(Roles.CREDITOR_ADMIN, organisation=uuid.uuid4()),
    ]
    for method, template, body in COMMANDS:
        path = P + template.format(**world)
        for headers in creditor_roles:
            response = await client.request(method, path, json=body, headers={**headers, **key()})
            assert_problem(response, 403)
        if template in ADMIN_ONLY:
            response = await client.request(
                method, path, json=body, headers={**ledger.handler, **key()}
            )
            assert_problem(response, 403)
        assert_problem(await client.request(method, path, json=body, headers=key()), 401)


async def test_a_creditor_user_cannot_read_another_creditors_agreement_by_guessing(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    other = uuid.uuid4()
    response = await client.get(f"{P}/creditors/{other}/agreement", headers=ledger.creditor())
    assert_problem(response, 404)
