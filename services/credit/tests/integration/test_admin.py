"""The agency's side: price lists (dated, the creditor's own before the default, changed
only before they are in force), «why was I checked?», and retention of reports."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from credit.bootstrap import CreditService
from credit.entrypoints.api import create_app
from credit.service_layer.retention import redact_due
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from simulators import bureau_subjects as s
from sqlalchemy import text

from .world import Bureau, CreditorWorld, company, person

pytestmark = pytest.mark.integration
P = "/api/v1/credit"


@pytest.fixture
async def client(service: CreditService) -> Any:
    async with asgi_client(create_app(service)) as client:
        yield client


@pytest.fixture
async def world(
    service: CreditService, signer: TestSigner, client: httpx.AsyncClient
) -> CreditorWorld:
    return await CreditorWorld(service, signer, client).register(prices=False)


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_price_lists_are_dated_and_change_only_before_they_are_in_force(
    world: CreditorWorld, client: httpx.AsyncClient
) -> None:
    products = await client.get(f"{P}/products", headers=world.orderer)
    assert all(p["price"] is None or not p["price"]["creditor_list"] for p in products.json())
    today = date.today()
    current = await world.price_list(5_000, 8_000)
    future = await world.price_list(6_000, 9_000, valid_from=today + timedelta(days=30))

    prices = {
        p["code"]: p["price"]["unit_price_ore"]
        for p in (await client.get(f"{P}/products", headers=world.orderer)).json()
    }
    assert prices == {"COMPANY_STANDARD": 5_000, "PERSON_STANDARD": 8_000}

    body = {
        "creditor_id": str(world.creditor_id),
        "valid_from": str(today),
        "items": [{"product_code": "COMPANY_STANDARD", "unit_price_ore": 1, "vat_code": "3"}],
    }
    refused = await client.put(
        f"{P}/price-lists/{current}", json=body, headers={**world.admin, **key()}
    )
    assert_problem(refused, 409, "price-list-in-force")
    body["valid_from"] = str(today + timedelta(days=31))
    changed = await client.put(
        f"{P}/price-lists/{future}", json=body, headers={**world.admin, **key()}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["items"] == [
        {"product_code": "COMPANY_STANDARD", "unit_price_ore": 1, "vat_ore": 0, "vat_code": "3"}
    ]
    ended = await client.post(
        f"{P}/price-lists/{current}/ending",
        json={"valid_to": str(today + timedelta(days=31))},
        headers={**world.admin, **key()},
    )
    assert ended.json()["valid_to"] == str(today + timedelta(days=31))
    assert (
        await client.delete(f"{P}/price-lists/{future}", headers=world.admin)
    ).status_code == 204
    assert_problem(await client.delete(f"{P}/price-lists/{current}", headers=world.admin), 409)
    assert_problem(await client.get(f"{P}/price-lists/{future}", headers=world.admin), 404)


@pytest.mark.parametrize(
    ("items", "field", "code"),
    [
        ([], "items", "price-list-empty"),
        (
            [{"product_code": "GOLD", "unit_price_ore": 100, "vat_code": "3"}],
            "items.0.product_code",
            "unknown-product",
        ),
        (
            [{"product_code": "COMPANY_STANDARD", "unit_price_ore": 0, "vat_code": "3"}],
            "items.0.unit_price_ore",
            "price-not-positive",
        ),
        (
            [{"product_code": "COMPANY_STANDARD", "unit_price_ore": 100, "vat_code": "9"}],
            "items.0.vat_code",
            "unknown-vat-code",
        ),
    ],
)
async def test_a_price_list_that_cannot_be_used_is_refused_with_its_field(
    world: CreditorWorld, client: httpx.AsyncClient, items: list[Any], field: str, code: str
) -> None:
    response = await client.post(
        f"{P}/price-lists",
        json={
            "creditor_id": str(world.creditor_id),
            "valid_from": str(date.today()),
            "items": items,
        },
        headers={**world.admin, **key()},
    )
    problem = assert_problem(response, 422)
    assert (problem["errors"][0]["field"], problem["errors"][0]["code"]) == (field, code)


async def test_without_a_price_the_product_is_not_offered(
    world: CreditorWorld, bureau: Bureau
) -> None:
    assert_problem(await world.order(company(s.AS_HEALTHY), price=1), 422, "product-not-offered")
    assert await bureau.calls() == []


async def test_why_was_i_checked_answered_from_the_orders(
    world: CreditorWorld, client: httpx.AsyncClient, service: CreditService, bureau: Bureau
) -> None:
    await world.price_list(4_900, 7_900)
    national_id = s.PERSON_DNUMMER
    bought = (await world.order(person(national_id))).json()

    response = await client.post(
        f"{P}/subject-lookups", json={"subject": person(national_id)}, headers=world.admin
    )

    orders = response.json()["orders"]
    mine = [o for o in orders if o["creditor_id"] == str(world.creditor_id)]
    assert [(o["id"], o["purpose"]["code"], o["purpose"]["case_id"]) for o in mine] == [
        (bought["id"], "CASE_ASSESSMENT", "C-2026-000123")
    ]
    async with service.session_factory() as session:
        logged = await session.execute(
            text("SELECT count(*) FROM access_log WHERE action = 'subject-lookup'")
        )
        assert logged.scalar_one() >= 1
        with pytest.raises(Exception, match="append-only"):
            await session.execute(text("DELETE FROM access_log"))


async def test_a_persons_report_is_cut_to_its_summary_when_its_retention_runs_out(
    world: CreditorWorld, client: httpx.AsyncClient, service: CreditService, bureau: Bureau
) -> None:
    await world.price_list(4_900, 7_900)
    bought = (await world.order(person(s.PERSON_REMARKS))).json()
    firm = (await world.order(company(s.AS_RISKY))).json()

    await redact_due(service.unit_of_work(), datetime.now(UTC) + timedelta(days=31))

    read = (await client.get(f"{P}/orders/{bought['id']}", headers=world.orderer)).json()
    report = read["report"]
    assert report["redacted"] is True
    assert (report["score"], report["remarks_count"], report["remarks_total_ore"]) == (
        12,
        3,
        2_665_000,
    )
    assert report["remarks"] == []
    assert report["address"] is None
    company_report = (await client.get(f"{P}/orders/{firm['id']}", headers=world.orderer)).json()[
        "report"
    ]
    assert company_report["redacted"] is True
    assert len(company_report["remarks"]) == 3  # business data stays; the raw answer goes
    async with service.session_factory() as session:
        sealed = await session.execute(
            text(
                "SELECT count(*) FROM reports WHERE order_id IN (:a, :b)"
                " AND payload_sealed IS NOT NULL"
            ),
            {"a": bought["id"], "b": firm["id"]},
        )
        assert sealed.scalar_one() == 0
