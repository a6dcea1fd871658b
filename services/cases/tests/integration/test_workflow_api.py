"""The workflow API: case handlers' actions, the work queue, next steps, a creditor's
withdrawal — each endpoint tried by two organisations, with problem+json answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from cases.bootstrap import CasesService
from cases.entrypoints.api import create_app
from cases.service_layer import workflow
from servicekit.roles import Roles
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner

from .workflow_support import (
    FixedClock,
    case,
    events_of,
    register_cases,
    steps_of,
    timeline_of,
)

pytestmark = pytest.mark.integration

DAY = date(2026, 9, 1)  # a Tuesday


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    headers: dict[str, str]


def caller(signer: TestSigner, organisation_id: uuid.UUID, *roles: str) -> Caller:
    user_id = uuid.uuid4()
    token = signer.mint(organisation_id=organisation_id, roles=roles, user_id=user_id)
    return Caller(user_id, {"Authorization": f"Bearer {token}"})


@dataclass(frozen=True)
class World:
    """Two creditor organisations with a case each, their users and a case handler."""

    case_a: uuid.UUID
    case_b: uuid.UUID
    creditor_a: Caller
    creditor_b: Caller
    handler: Caller
    admin: Caller


@pytest.fixture
async def world(service: CasesService, signer: TestSigner) -> World:
    service.clock = FixedClock(DAY)
    org_a, (case_a,) = await register_cases(service)
    org_b, (case_b,) = await register_cases(service)
    agency = uuid.uuid4()
    return World(
        case_a=case_a,
        case_b=case_b,
        creditor_a=caller(signer, org_a, Roles.CREDITOR),
        creditor_b=caller(signer, org_b, Roles.CREDITOR_ADMIN),
        handler=caller(signer, agency, Roles.CASE_HANDLER),
        admin=caller(signer, agency, Roles.AGENCY_ADMIN),
    )


def client(service: CasesService) -> httpx.AsyncClient:
    return asgi_client(create_app(service))


AGENCY_ACTIONS: list[tuple[str, dict[str, Any] | None]] = [
    ("inkassovarsel", None),
    ("betalingsoppfordring", None),
    ("objections", {"received_on": DAY.isoformat(), "grounds": "Not delivered"}),
    ("objections/resolve", {"outcome": "resumed"}),
    ("payment-plan", {"instalments": [{"due_date": "2026-10-01", "amount_ore": 10_000}]}),
    ("payment-plan/breach", None),
    ("legal-steps", {"step": "forliksklage"}),
    ("acknowledgements", {"kind": "acknowledgement", "on": DAY.isoformat()}),
    ("close", {"reason": "uncollectible"}),
]


@pytest.mark.parametrize(("path", "body"), AGENCY_ACTIONS)
async def test_agency_actions_are_for_agency_staff_only(
    service: CasesService, world: World, path: str, body: dict[str, Any] | None
) -> None:
    url = f"/api/v1/cases/{world.case_a}/{path}"
    async with client(service) as http:
        assert_problem(await http.post(url, json=body), 401, "unauthorized")
        for creditor in (world.creditor_a, world.creditor_b):  # the owner's too
            assert_problem(await http.post(url, json=body, headers=creditor.headers), 403)
        missing = f"/api/v1/cases/{uuid.uuid4()}/{path}"
        assert_problem(await http.post(missing, json=body, headers=world.handler.headers), 404)
    assert (await case(service, world.case_a))["version"] == 1


async def test_a_case_handler_sends_the_inkassovarsel_once(
    service: CasesService, world: World
) -> None:
    url = f"/api/v1/cases/{world.case_a}/inkassovarsel"
    headers = {**world.handler.headers, "Idempotency-Key": f"k-{uuid.uuid4()}"}
    async with client(service) as http:
        first = await http.post(url, headers=headers)
        again = await http.post(url, headers=headers)  # a retry: the first answer
        other = await http.post(url, headers=world.handler.headers)  # a new request
        reused = await http.post(url, json={"note": "x"}, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["status"] == "notice_sent"
    assert body["step"] == "inkassovarsel_sent"
    assert body["effective_date"] == "2026-09-01"
    assert body["deadline"] == "2026-09-15"
    assert body["next"]["action"] == "send_betalingsoppfordring"
    assert body["next"]["on"] == "2026-09-16"
    assert again.status_code == 200
    assert again.json() == body
    problem = assert_problem(other, 409, "illegal-transition")
    assert "inkassovarsel sent" in problem["detail"]
    assert_problem(reused, 422, "idempotency-key-reused")
    assert len(await events_of(service, world.case_a, "cases.case.status_changed")) == 1
    [entry] = [
        e for e in await timeline_of(service, world.case_a) if e["step"] == "inkassovarsel_sent"
    ]
    assert (entry["actor_kind"], entry["actor_id"]) == ("user", world.handler.user_id)
    assert (await case(service, world.case_b))["status"] == "registered"


async def test_objection_then_resolution_over_http(service: CasesService, world: World) -> None:
    base = f"/api/v1/cases/{world.case_a}"
    h = world.handler.headers
    async with client(service) as http:
        bad = await http.post(f"{base}/objections", json={"received_on": "2026-09-01"}, headers=h)
        nul = await http.post(
            f"{base}/objections", json={"received_on": "2026-09-01", "grounds": "a\x00b"}, headers=h
        )
        future = await http.post(
            f"{base}/objections",
            json={"received_on": "2026-09-30", "grounds": "x"},
            headers=h,
        )
        ok = await http.post(
            f"{base}/objections",
            json={"received_on": "2026-08-31", "grounds": "The goods were never delivered."},
            headers=h,
        )
        twice = await http.post(
            f"{base}/objections", json={"received_on": "2026-08-31", "grounds": "y"}, headers=h
        )
        steps = await http.get(f"{base}/next-steps", headers=h)
        seen_by_owner = await http.get(f"{base}/next-steps", headers=world.creditor_a.headers)
        demand = await http.post(f"{base}/betalingsoppfordring", headers=h)
        queue = await http.get("/api/v1/cases/work-queue?reason=objection&limit=200", headers=h)
        resolved = await http.post(
            f"{base}/objections/resolve", json={"outcome": "sideways"}, headers=h
        )
        resumed = await http.post(
            f"{base}/objections/resolve", json={"outcome": "resumed", "note": "ok"}, headers=h
        )
    errors = assert_problem(bad, 422, "validation-error")["errors"]
    assert [(e["field"], e["reason"]) for e in errors] == [("grounds", "Field required")]
    assert assert_problem(nul, 422, "validation-error")["errors"][0]["field"] == "grounds"
    assert assert_problem(future, 422, "invalid-action")["errors"] == [
        {"field": "received_on", "reason": "must not be in the future"}
    ]
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "disputed"
    assert ok.json()["needs_attention"] == "objection"
    assert "Resolve the open objection first" in assert_problem(twice, 409)["detail"]
    view = steps.json()
    assert view["status"] == "disputed"
    assert view["next"]["action"] == "resolve_objection"
    assert view["objection"]["received_on"] == "2026-08-31"
    assert "resolve_objection" in view["actions"]
    assert seen_by_owner.json()["actions"] == ["withdraw"]
    assert seen_by_owner.json()["letter_refusals"] == {}  # a case handler's matter
    refused = assert_problem(demand, 409, "illegal-transition")
    assert (refused["code"], refused["case_status"]) == ("not-when-disputed", "disputed")
    assert view["letter_refusals"]["send_betalingsoppfordring"]["code"] == "not-when-disputed"
    assert str(world.case_a) in [i["case_id"] for i in queue.json()["items"]]
    assert_problem(resolved, 422, "validation-error")
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "registered"
    assert await steps_of(service, world.case_a) == ["objection_registered", "collection_resumed"]


async def test_payment_plan_legal_step_and_close_over_http(
    service: CasesService, world: World
) -> None:
    base = f"/api/v1/cases/{world.case_a}"
    h = world.handler.headers
    async with client(service) as http:
        early = await http.post(f"{base}/legal-steps", json={"step": "utlegg"}, headers=h)
        bad_plan = await http.post(
            f"{base}/payment-plan",
            json={
                "instalments": [
                    {"due_date": "2026-10-01", "amount_ore": 50_000},
                    {"due_date": "2026-09-15", "amount_ore": 50_000},
                ]
            },
            headers=h,
        )
        zero = await http.post(
            f"{base}/payment-plan",
            json={"instalments": [{"due_date": "2026-10-01", "amount_ore": 0}]},
            headers=h,
        )
        huge = await http.post(
            f"{base}/payment-plan",
            json={"instalments": [{"due_date": "2026-10-01", "amount_ore": 2**63}]},
            headers=h,
        )
        plan = await http.post(
            f"{base}/payment-plan",
            json={"instalments": [{"due_date": "2026-10-01", "amount_ore": 125_050}]},
            headers=h,
        )
        steps = await http.get(f"{base}/next-steps", headers=h)
        breach = await http.post(f"{base}/payment-plan/breach", headers=h)
        close = await http.post(
            f"{base}/close", json={"reason": "uncollectible", "note": "Gone abroad"}, headers=h
        )
        closed_again = await http.post(f"{base}/close", json={"reason": "withdrawn"}, headers=h)
    problem = assert_problem(early, 409, "illegal-transition")
    assert "after a betalingsoppfordring" in problem["detail"]
    assert assert_problem(bad_plan, 422, "invalid-action")["errors"] == [
        {
            "field": "instalments[1].due_date",
            "reason": "must be after the previous instalment's due date",
        }
    ]
    assert assert_problem(zero, 422)["errors"][0]["field"] == "instalments.0.amount_ore"
    assert assert_problem(huge, 422)["errors"][0]["field"] == "instalments.0.amount_ore"
    assert plan.status_code == 200, plan.text
    assert plan.json()["status"] == "payment_plan"
    assert plan.json()["limitation_date"] == "2029-09-04"  # Sat 1 Sep -> last day Mon 3
    assert steps.json()["payment_plan"]["instalments"] == [
        {"number": 1, "due_date": "2026-10-01", "amount_ore": 125_050}
    ]
    assert breach.json()["status"] == "registered"
    assert close.json()["status"] == "closed"
    assert "closed (uncollectible)" in assert_problem(closed_again, 409)["detail"]
    [closed] = await events_of(service, world.case_a, "cases.case.closed")
    assert (closed["reason"], closed["actor"]) == ("uncollectible", str(world.handler.user_id))


async def test_legal_step_after_the_betalingsoppfordring(
    service: CasesService, world: World
) -> None:
    await workflow.run_due(service.unit_of_work, service.workflow(), batch_size=100)  # varsel
    service.clock = FixedClock(date(2026, 9, 16))
    await workflow.run_due(service.unit_of_work, service.workflow(), batch_size=100)  # BO
    base = f"/api/v1/cases/{world.case_a}"
    async with client(service) as http:
        too_soon = await http.post(
            f"{base}/legal-steps", json={"step": "utlegg"}, headers=world.handler.headers
        )
        service.clock = FixedClock(date(2026, 10, 1))
        again = await http.post(f"{base}/betalingsoppfordring", headers=world.handler.headers)
        legal = await http.post(
            f"{base}/legal-steps", json={"step": "utlegg"}, headers=world.admin.headers
        )
        ack = await http.post(
            f"{base}/acknowledgements",
            json={"kind": "judgment", "on": "2026-10-01"},
            headers=world.handler.headers,
        )
    assert "runs until 2026-09-30" in assert_problem(too_soon, 409)["detail"]
    assert "still good for legal steps until 2027-03-16" in assert_problem(again, 409)["detail"]
    assert legal.status_code == 200, legal.text
    assert legal.json()["step"] == "legal_step_utlegg"
    assert ack.status_code == 200, ack.text
    assert ack.json()["limitation_date"] == "2036-10-02"  # ten years after a judgment


async def test_a_creditor_withdraws_only_its_own_case(service: CasesService, world: World) -> None:
    async with client(service) as http:
        foreign = await http.post(
            f"/api/v1/cases/{world.case_b}/withdraw", headers=world.creditor_a.headers
        )
        foreign_view = await http.get(
            f"/api/v1/cases/{world.case_b}/next-steps", headers=world.creditor_a.headers
        )
        by_handler = await http.post(
            f"/api/v1/cases/{world.case_a}/withdraw", headers=world.handler.headers
        )
        own = await http.post(
            f"/api/v1/cases/{world.case_a}/withdraw",
            json={"note": "Paid to us directly"},
            headers=world.creditor_a.headers,
        )
        twice = await http.post(
            f"/api/v1/cases/{world.case_a}/withdraw", headers=world.creditor_a.headers
        )
        b_own = await http.post(
            f"/api/v1/cases/{world.case_b}/withdraw", headers=world.creditor_b.headers
        )
        a_view = await http.get(
            f"/api/v1/cases/{world.case_a}/next-steps", headers=world.creditor_a.headers
        )
    assert_problem(foreign, 404, "not-found")
    assert_problem(foreign_view, 404, "not-found")
    assert_problem(by_handler, 403, "forbidden")
    assert own.status_code == 200, own.text
    assert own.json()["status"] == "closed"
    assert own.json()["step"] == "closed_withdrawn"
    assert_problem(twice, 409, "illegal-transition")
    assert b_own.status_code == 200
    assert a_view.json()["actions"] == []
    assert a_view.json()["next"]["action"] == "none"
    [closed] = await events_of(service, world.case_a, "cases.case.closed")
    assert (closed["reason"], closed["actor"]) == ("withdrawn", str(world.creditor_a.user_id))


async def test_the_work_queue_pages_oldest_first(service: CasesService, world: World) -> None:
    service.clock = FixedClock(date(2031, 2, 3))
    _, ids = await register_cases(service, count=5)
    for day, case_id in enumerate(ids, start=3):  # a day apart: the first waits longest
        service.clock = FixedClock(date(2031, 2, day))
        async with service.unit_of_work() as uow:
            await workflow.register_objection(
                uow,
                service.workflow(),
                case_id,
                workflow.Actor("user", world.handler.user_id),
                received_on=date(2031, 2, 3),
                grounds="Disputed",
            )
            await uow.commit()
    seen: list[str] = []
    cursor = None
    async with client(service) as http:
        for _ in range(50):
            params: dict[str, Any] = {"reason": "objection", "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = await http.get(
                "/api/v1/cases/work-queue", params=params, headers=world.handler.headers
            )
            assert page.status_code == 200, page.text
            seen += [i["case_id"] for i in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        bad = await http.get(
            "/api/v1/cases/work-queue?cursor=nonsense", headers=world.handler.headers
        )
        for creditor in (world.creditor_a, world.creditor_b):
            assert_problem(
                await http.get("/api/v1/cases/work-queue", headers=creditor.headers), 403
            )
        assert_problem(await http.get("/api/v1/cases/work-queue"), 401)
    mine = [s for s in seen if uuid.UUID(s) in ids]
    assert mine == [str(i) for i in ids]  # oldest first, each once
    assert len(seen) == len(set(seen))
    assert_problem(bad, 400, "invalid-query")


async def test_next_steps_for_each_side(service: CasesService, world: World) -> None:
    async with client(service) as http:
        handler_view = await http.get(
            f"/api/v1/cases/{world.case_a}/next-steps", headers=world.handler.headers
        )
        owner_view = await http.get(
            f"/api/v1/cases/{world.case_b}/next-steps", headers=world.creditor_b.headers
        )
        other = await http.get(
            f"/api/v1/cases/{world.case_a}/next-steps", headers=world.creditor_b.headers
        )
        unknown = await http.get(
            f"/api/v1/cases/{uuid.uuid4()}/next-steps", headers=world.handler.headers
        )
        anonymous = await http.get(f"/api/v1/cases/{world.case_a}/next-steps")
    view = handler_view.json()
    assert view["status"] == "registered"
    assert view["rule_set"] == "inkassoloven-1988"
    assert view["next"] == {
        "action": "send_inkassovarsel",
        "by": "scheduler",
        "on": "2026-09-01",
        "description": view["next"]["description"],
    }
    assert "inkassovarsel" in view["next"]["description"]
    assert view["actions"] == ["send_inkassovarsel", "register_objection", "payment_plan", "close"]
    assert owner_view.json()["actions"] == ["withdraw"]
    assert_problem(other, 404, "not-found")
    assert_problem(unknown, 404)
    assert_problem(anonymous, 401)


async def test_a_note_of_only_whitespace_on_an_action_is_refused(
    service: CasesService, world: World
) -> None:
    url = f"/api/v1/cases/{world.case_a}/inkassovarsel"
    async with client(service) as http:
        refused = await http.post(url, json={"note": " \t "}, headers=world.handler.headers)
    problem = assert_problem(refused, 422, "validation-error")
    assert [(e["field"], e["reason"]) for e in problem["errors"]] == [("note", "is required")]
    assert (await case(service, world.case_a))["version"] == 1  # nothing happened
