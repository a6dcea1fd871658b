"""Buying credit reports through the API, against the bureau simulator as a real process:
what is bought, shown, charged, logged and sent (copy letters), and what is refused."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from credit.bootstrap import CreditService
from credit.domain.orders import FailureCode, OrderStatus
from credit.entrypoints.api import create_app
from credit.service_layer import ordering
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from simulators import bureau_subjects as s
from sqlalchemy import text

from .world import COMPANY_PRICE, Bureau, CreditorWorld, company, person

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(service: CreditService) -> Any:
    async with asgi_client(create_app(service)) as client:
        yield client


@pytest.fixture
async def world(
    service: CreditService, signer: TestSigner, client: httpx.AsyncClient
) -> CreditorWorld:
    return await CreditorWorld(service, signer, client).register()


async def access_actions(service: CreditService, order_id: str) -> list[str]:
    async with service.session_factory() as session:
        rows = await session.execute(
            text("SELECT action FROM access_log WHERE order_id = :id ORDER BY id"), {"id": order_id}
        )
        return [a for (a,) in rows]


async def test_the_price_is_shown_then_a_company_report_is_bought_read_and_charged(
    world: CreditorWorld, client: httpx.AsyncClient, bureau: Bureau, service: CreditService
) -> None:
    products = (await client.get("/api/v1/credit/products", headers=world.orderer)).json()
    prices = {p["code"]: p["price"] for p in products}
    assert prices["COMPANY_STANDARD"]["unit_price_ore"] == COMPANY_PRICE
    assert prices["COMPANY_STANDARD"]["vat_ore"] == 1_225
    assert prices["COMPANY_STANDARD"]["total_ore"] == 6_125
    assert prices["COMPANY_STANDARD"]["creditor_list"] is True

    response = await world.order(company(s.AS_HEALTHY))

    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "completed"
    assert order["price"] == {
        "unit_price_ore": 4_900,
        "vat_ore": 1_225,
        "total_ore": 6_125,
        "vat_code": "3",
    }
    report = order["report"]
    assert (report["score"], report["risk_class"]) == (95, "AAA")
    assert report["credit_limit_ore"] == 50_000_000
    assert report["remarks_count"] == 0
    assert report["company"]["organisation_form"] == "AS"
    assert report["copy_letter_expected"] is False
    charges = await world.charges()
    assert [(c["order_id"], c["price_ore"], c["vat_ore"]) for c in charges] == [
        (order["id"], 4_900, 1_225)
    ]
    assert await bureau.gjenparter(uuid.UUID(order["id"])) == []  # an AS gets no copy letter

    read = await client.get(f"/api/v1/credit/orders/{order['id']}", headers=world.orderer)
    assert read.json()["report"]["subject_name"] == "Fjellvind Handel AS"
    assert await access_actions(service, order["id"]) == ["order", "view"]


async def test_a_person_report_is_sealed_masked_and_sends_a_copy_letter_naming_the_creditor(
    world: CreditorWorld, bureau: Bureau
) -> None:
    response = await world.order(person(s.PERSON_REMARKS))

    assert response.status_code == 201, response.text
    order = response.json()
    assert s.PERSON_REMARKS not in response.text  # the number never comes back
    assert order["subject"] == {"kind": "person", "display": "150382*****"}
    assert order["report"]["score"] == 12
    assert order["report"]["risk_class"] == "very-high"
    assert order["report"]["remarks_count"] == 3
    assert order["report"]["remarks_total_ore"] == 2_665_000
    letters = await bureau.gjenparter(uuid.UUID(order["id"]))
    assert [(g["ordererName"], g["purpose"]) for g in letters] == [(world.name, "CASE_ASSESSMENT")]
    row = await world.order_row(order["id"])
    assert row["subject_national_id_sealed"].startswith("v1$")
    assert s.PERSON_REMARKS not in str(row)


@pytest.mark.parametrize(
    ("subject", "expect"),
    [
        (person(s.PERSON_DNUMMER), {"score": 55}),
        (person(s.PERSON_FNR_2032), {"score": 77}),
        (person(s.PERSON_DECEASED), {"subject_status": "deceased", "score": None}),
        (person(s.PERSON_CLEAN), {"score": 80, "remarks_count": 0}),
        (company(s.AS_BANKRUPT), {"subject_status": "bankrupt", "score": None}),
        (company(s.AS_NEW), {"risk_class": "AN", "credit_limit_ore": None}),
        (company(s.ENK_WITH_OWNER), {"copy_letter_expected": True}),
    ],
)
async def test_each_kind_of_subject_is_bought(
    world: CreditorWorld, bureau: Bureau, subject: dict[str, str], expect: dict[str, Any]
) -> None:
    response = await world.order(subject)
    assert response.status_code == 201, response.text
    name, _, duration = response.headers["Server-Timing"].partition(";dur=")
    assert name == "bureau"  # the bureau's share of the time, for clients
    assert float(duration) > 0
    report = response.json()["report"]
    assert {k: report[k] for k in expect} == expect
    letters = await bureau.gjenparter(uuid.UUID(response.json()["id"]))
    assert len(letters) == (1 if report["copy_letter_expected"] else 0)


async def test_a_double_click_buys_once_and_another_body_under_the_key_is_refused(
    world: CreditorWorld, bureau: Bureau
) -> None:
    key = str(uuid.uuid4())
    first, second = await asyncio.gather(
        world.order(person(s.PERSON_CLEAN), key=key),
        world.order(person(s.PERSON_CLEAN), key=key),
    )
    assert {first.status_code, second.status_code} <= {201, 202}
    assert first.json()["id"] == second.json()["id"]
    again = await world.order(person(s.PERSON_CLEAN), key=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Server-Timing" not in again.headers  # the replay did not ask the bureau
    assert len(await bureau.calls(uuid.UUID(first.json()["id"]))) == 1
    assert len(await bureau.gjenparter(uuid.UUID(first.json()["id"]))) == 1
    assert len(await world.charges()) == 1

    other = await world.order(person(s.PERSON_REMARKS), key=key)
    assert_problem(other, 422, "idempotency-key-reused")


async def test_an_outcome_after_another_settled_the_order_writes_nothing(
    world: CreditorWorld, service: CreditService
) -> None:
    """The outcome's statement moves the order only from the status its caller saw: a late
    second outcome (a reconciliation got there first) adds no transition, report or charge."""
    bought = await world.order(person(s.PERSON_CLEAN))
    assert bought.status_code == 201, bought.text
    order_id = uuid.UUID(bought.json()["id"])
    row = await world.order_row(str(order_id))
    late = ordering.Outcome(OrderStatus.FAILED, FailureCode.NO_MATCH)
    charged_row = {**row, "charge_no_match": True}  # a «no match» that would be charged
    assert (
        await ordering._record_outcome(
            service.ordering(), order_id, charged_row, OrderStatus.PENDING, late
        )
        is None
    )
    async with service.session_factory() as session:
        counts = (
            await session.execute(
                text(
                    "SELECT (SELECT count(*) FROM order_transitions WHERE order_id = :id),"
                    " (SELECT count(*) FROM reports WHERE order_id = :id),"
                    " (SELECT count(*) FROM access_log WHERE order_id = :id)"
                ),
                {"id": order_id},
            )
        ).one()
    assert tuple(counts) == (2, 1, 1)
    assert len(await world.charges()) == 1
    assert (await world.order_row(str(order_id)))["status"] == "completed"


async def test_a_changed_price_is_refused_not_charged(world: CreditorWorld, bureau: Bureau) -> None:
    response = await world.order(company(s.AS_HEALTHY), price=3_900)
    problem = assert_problem(response, 409, "price-changed")
    assert problem["unit_price_ore"] == COMPANY_PRICE
    assert await bureau.calls() == []
    assert await world.charges() == []


@pytest.mark.parametrize(
    ("subject", "field", "code"),
    [
        (company("999100008"), "subject.organisation_number", "organisation-number-invalid"),
        (company("12345"), "subject.organisation_number", "organisation-number-format"),
        (person("01017540073"), "subject.national_id", "national-id-invalid"),
        (person("0101754007"), "subject.national_id", "national-id-format"),
        (person("11111111111"), "subject.national_id", "national-id-invalid"),
    ],
)
async def test_an_invalid_subject_is_refused_with_its_field(
    world: CreditorWorld, bureau: Bureau, subject: dict[str, str], field: str, code: str
) -> None:
    problem = assert_problem(await world.order(subject), 422, "validation-error")
    assert problem["errors"][0]["field"] == field
    assert problem["errors"][0]["code"] == code
    assert await bureau.calls() == []


@pytest.mark.parametrize(
    "subject", [company(s.COMPANY_UNKNOWN), company(s.AS_DISSOLVED), person(s.PERSON_UNKNOWN)]
)
async def test_an_unknown_subject_is_no_match_and_costs_nothing(
    world: CreditorWorld, subject: dict[str, str]
) -> None:
    problem = assert_problem(await world.order(subject), 422, "no-match")
    assert problem["errors"][0]["field"].startswith("subject.")
    assert problem["order_status"] == "failed"
    assert (await world.order_row(problem["order_id"]))["status"] == "failed"
    assert await world.charges() == []


async def test_a_credit_block_refuses_the_creditors_own_check_but_not_collection(
    world: CreditorWorld, bureau: Bureau
) -> None:
    refused = await world.order(
        person(s.PERSON_BLOCKED),
        purpose="CREDITOR_CREDIT_DECISION",
        case_id=None,
        relationship_declared=True,
    )
    problem = assert_problem(refused, 423, "subject-blocked")
    assert "CASE_ASSESSMENT" in problem["allowed_purposes"]
    assert "CREDITOR_CREDIT_DECISION" not in problem["allowed_purposes"]

    allowed = await world.order(person(s.PERSON_BLOCKED), purpose="CASE_ASSESSMENT")
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["report"]["credit_block"] is True
    assert [c["order_id"] for c in await world.charges()] == [allowed.json()["id"]]
    assert len(await bureau.gjenparter()) == 1


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"case_id": None}, "purpose.case_id", "case-required"),
        ({"text": "kort"}, "purpose.text", "purpose-text-required"),
    ],
)
async def test_an_order_without_an_allowed_purpose_is_refused(
    world: CreditorWorld, bureau: Bureau, extra: dict[str, Any], field: str, code: str
) -> None:
    problem = assert_problem(await world.order(company(s.AS_HEALTHY), **extra), 422)
    assert (problem["errors"][0]["field"], problem["errors"][0]["code"]) == (field, code)
    assert await bureau.calls() == []


async def test_a_declared_relationship_is_needed_for_the_creditors_own_decision(
    world: CreditorWorld,
) -> None:
    response = await world.order(
        company(s.AS_HEALTHY), purpose="CREDITOR_CREDIT_DECISION", case_id=None
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["code"] == "relationship-not-declared"


async def test_a_company_report_is_shown_again_free_to_the_same_creditor_only(
    world: CreditorWorld,
    bureau: Bureau,
    service: CreditService,
    signer: TestSigner,
    client: httpx.AsyncClient,
) -> None:
    first = (await world.order(company(s.AS_RISKY))).json()
    again = await world.order(company(s.AS_RISKY))
    assert again.status_code == 201
    assert again.json()["reused_from"] == first["id"]
    assert again.json()["price"]["total_ore"] == 0
    assert again.json()["report"]["remarks_total_ore"] == 4_800_000
    other = await CreditorWorld(service, signer, client).register()
    theirs = await other.order(company(s.AS_RISKY))
    assert theirs.json()["reused_from"] is None
    assert len(await bureau.calls()) == 2
    assert len(await world.charges()) == 1


@pytest.mark.parametrize("subject", [person(s.PERSON_CLEAN), company(s.ENK_WITH_OWNER)])
async def test_a_persons_report_is_never_shown_again_for_a_new_order(
    world: CreditorWorld, bureau: Bureau, subject: dict[str, str]
) -> None:
    first = await world.order(subject)
    second = await world.order(subject)
    assert second.json()["reused_from"] is None
    assert first.json()["id"] != second.json()["id"]
    assert len(await bureau.calls()) == 2
    assert len(await bureau.gjenparter()) == 2
    assert len(await world.charges()) == 2


async def test_who_may_order(world: CreditorWorld, bureau: Bureau) -> None:
    plain = world.headers(Roles.CREDITOR, Roles.CREDITOR_ADMIN)
    assert_problem(await world.order(company(s.AS_HEALTHY), headers=plain), 403, "forbidden")
    assert_problem(await world.order(company(s.AS_HEALTHY), headers=world.admin), 403)
    assert_problem(await world.order(company(s.AS_HEALTHY), headers={}), 401)
    response = await world.client.post(
        "/api/v1/credit/orders",
        json={
            "product_code": "COMPANY_STANDARD",
            "subject": company(s.AS_HEALTHY),
            "purpose": {"code": "CASE_ASSESSMENT", "text": "Vurdering av krav", "case_id": "1"},
            "accepted_price_ore": COMPANY_PRICE,
        },
        headers=world.orderer,
    )
    assert_problem(response, 422)  # no Idempotency-Key
    assert await bureau.calls() == []


async def test_spend_and_the_monthly_specification(world: CreditorWorld) -> None:
    bought = [
        (await world.order(subject)).json()
        for subject in (company(s.AS_HEALTHY), person(s.PERSON_CLEAN))
    ]
    assert_problem(await world.order(company(s.COMPANY_UNKNOWN)), 422, "no-match")
    spend = (await world.client.get("/api/v1/credit/spend", headers=world.orderer)).json()
    assert (spend["orders"], spend["price_ore"], spend["vat_ore"]) == (2, 12_800, 3_200)
    spec = (await world.client.get("/api/v1/credit/specification", headers=world.orderer)).json()
    assert [line["order_id"] for line in spec["lines"]] == [o["id"] for o in bought]
    assert spec["lines"][1]["subject"] == "010175*****"
    assert spec["lines"][1]["case_id"] == "C-2026-000123"
    history = (await world.client.get("/api/v1/credit/orders", headers=world.orderer)).json()
    assert len(history["orders"]) == 3
    assert {o["status"] for o in history["orders"]} == {"completed", "failed"}


async def test_text_the_database_cannot_hold_is_refused(world: CreditorWorld) -> None:
    response = await world.order(company(s.AS_HEALTHY), text="Vurdering av krav\x00 i saken")
    assert assert_problem(response, 422)["errors"][0]["field"] == "purpose.text"
    listed = await world.client.get(
        "/api/v1/credit/orders", params={"case_id": "C\x001"}, headers=world.orderer
    )
    assert_problem(listed, 422)
