"""Every endpoint, tried by two creditors (BOLA): a creditor's users read only their own
orders, reports, history and spend (another's is 404, never 403: not even whether it
exists); the agency's endpoints are the agency's (403); nothing without a token (401).
The tables must name every operation of the service's OpenAPI
(:func:`test_the_tables_name_every_endpoint`), so a new endpoint's tenancy is decided here."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from credit.bootstrap import CreditService
from credit.entrypoints.api import create_app
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from simulators import bureau_subjects as s

from .world import Bureau, CreditorWorld, company

pytestmark = pytest.mark.integration

P = "/api/v1/credit"

#: Read by a creditor's orderers and admins (their own) and agency staff.
OWN_READS = ["/orders/{order}", "/orders/{order}/pdf"]
#: Lists scoped to the caller's creditor (another creditor's id is 404).
OWN_LISTS = ["/orders", "/spend", "/specification"]
#: Any signed-in user.
SHARED_READS = ["/products"]
ADMIN_READS = [
    "/price-lists",
    "/price-lists/{price_list}",
    "/creditors/{creditor}",
    "/creditors/{creditor}/agreement",
    "/spend/creditors",
]
#: Creditor orderers' commands on their own orders.
OWN_COMMANDS = [("POST", "/orders/{order}/reconciliation", None)]
ORDERER_COMMANDS = [
    ("POST", "/orders", "order"),
    ("POST", "/company-searches", {"name": "Fjellvind"}),
]
ADMIN_COMMANDS = [
    ("POST", "/price-lists", "price-list"),
    ("PUT", "/price-lists/{price_list}", "price-list"),
    ("POST", "/price-lists/{price_list}/ending", {"valid_to": "2099-01-01"}),
    ("DELETE", "/price-lists/{price_list}", None),
    ("POST", "/subject-lookups", {"subject": company(s.AS_HEALTHY)}),
    ("PUT", "/creditors/{creditor}/agreement", {"products": None, "purposes": None}),
    ("PUT", "/products/{code}/terms", {"charge_no_match": True}),
]
_PLACEHOLDERS = {
    "{order_id}": "{order}",
    "{price_list_id}": "{price_list}",
    "{organisation_id}": "{creditor}",
}
_FIXED = {"code": "PERSON_STANDARD"}
"""Path parameters that name no creditor's resource."""


@pytest.fixture
async def client(service: CreditService) -> Any:
    async with asgi_client(create_app(service)) as client:
        yield client


@pytest.fixture
async def two(
    service: CreditService, signer: TestSigner, client: httpx.AsyncClient, bureau: Bureau
) -> tuple[CreditorWorld, CreditorWorld, dict[str, str]]:
    a = await CreditorWorld(service, signer, client).register()
    b = await CreditorWorld(service, signer, client).register()
    order = (await a.order(company(s.AS_HEALTHY))).json()
    price_list = (
        await client.get(f"{P}/price-lists?creditor_id={a.creditor_id}", headers=a.admin)
    ).json()[0]["id"]
    return (
        a,
        b,
        {
            "order": order["id"],
            "creditor": str(a.creditor_id),
            "price_list": price_list,
            **_FIXED,
        },
    )


def test_the_tables_name_every_endpoint(service: CreditService) -> None:
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
    gets = OWN_READS + OWN_LISTS + SHARED_READS + ADMIN_READS
    named = {("GET", path) for path in gets}
    named |= {(m, p) for m, p, _ in OWN_COMMANDS + ORDERER_COMMANDS + ADMIN_COMMANDS}
    assert documented == named


async def test_a_creditor_reads_only_its_own(
    two: tuple[CreditorWorld, CreditorWorld, dict[str, str]], client: httpx.AsyncClient
) -> None:
    a, b, ids = two
    handler = a.headers(Roles.CASE_HANDLER, user=uuid.uuid4(), organisation=uuid.uuid4())
    for template in OWN_READS:
        path = P + template.format(**ids)
        assert (await client.get(path, headers=a.orderer)).status_code == 200, path
        assert (await client.get(path, headers=handler)).status_code == 200, path
        assert_problem(await client.get(path, headers=b.orderer), 404)
        assert_problem(await client.get(path, headers=b.headers(Roles.CREDITOR_ADMIN)), 404)
        assert_problem(await client.get(path, headers=a.headers(Roles.CREDITOR)), 403)
        assert_problem(await client.get(path), 401)
    mine = (await client.get(f"{P}/orders", headers=a.orderer)).json()["orders"]
    theirs = (await client.get(f"{P}/orders", headers=b.orderer)).json()["orders"]
    assert [o["id"] for o in mine] == [ids["order"]]
    assert theirs == []
    assert (await client.get(f"{P}/spend", headers=b.orderer)).json()["orders"] == 0
    for template in OWN_LISTS:
        path = f"{P}{template}?creditor_id={a.creditor_id}"
        assert_problem(await client.get(path, headers=b.orderer), 404)
        assert (await client.get(path, headers=a.orderer)).status_code == 200
        assert (await client.get(path, headers=handler)).status_code == 200
        assert_problem(await client.get(P + template), 401)
    for template in SHARED_READS:
        assert (
            await client.get(P + template, headers=b.headers(Roles.CREDITOR))
        ).status_code == 200
        assert_problem(await client.get(P + template), 401)
    for template in ADMIN_READS:
        path = P + template.format(**ids)
        assert_problem(await client.get(path, headers=a.orderer), 403)
        assert_problem(await client.get(path, headers=handler), 403)
        assert (await client.get(path, headers=a.admin)).status_code == 200, path


async def test_commands_of_others_are_refused(
    two: tuple[CreditorWorld, CreditorWorld, dict[str, str]], client: httpx.AsyncClient
) -> None:
    a, b, ids = two
    for method, template, _ in OWN_COMMANDS:
        path = P + template.format(**ids)
        assert_problem(await client.request(method, path, headers=b.orderer), 404)
        assert_problem(await client.request(method, path), 401)
        assert (await client.request(method, path, headers=a.orderer)).status_code == 200
    for method, template, body in ADMIN_COMMANDS:
        path = P + template.format(**ids)
        payload = None if body in (None, "price-list") else body
        for headers in (a.orderer, b.headers(Roles.CREDITOR_ADMIN)):
            response = await client.request(
                method,
                path,
                json=payload,
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert_problem(response, 403)
        assert_problem(await client.request(method, path, json=payload), 401)
