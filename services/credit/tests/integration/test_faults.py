"""Every bureau fault, against the simulator as a real process: a clear problem naming the
order, the order in a known state, nothing charged; an order in doubt is settled by its
reference (never ordered again); 50 concurrent orders with 10 % faults are charged exactly
once per completed order."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from credit.bootstrap import CreditService
from credit.entrypoints.api import create_app
from servicekit.testing.http import asgi_client, assert_problem
from servicekit.testing.tokens import TestSigner
from simulators import bureau_subjects as s

from .world import Bureau, CreditorWorld, company, person

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


@pytest.mark.parametrize(
    ("faults", "status", "code", "order_status"),
    [
        (["500"], 502, "bureau-error", "failed"),
        (["502"], 502, "bureau-error", "failed"),
        (["503", "503", "503"], 503, "bureau-unavailable", "failed"),
        (["429", "429", "429"], 503, "bureau-unavailable", "failed"),
        (["403"], 502, "product-not-in-contract", "failed"),
        (["hang"], 504, "bureau-timeout", "unknown"),
        (["slow"], 504, "bureau-timeout", "unknown"),
        (["reset"], 504, "bureau-timeout", "unknown"),
        (["malformed"], 504, "bureau-timeout", "unknown"),
    ],
)
async def test_a_bureau_fault_charges_nothing_and_leaves_the_order_in_a_known_state(
    world: CreditorWorld,
    bureau: Bureau,
    faults: list[str],
    status: int,
    code: str,
    order_status: str,
) -> None:
    await bureau.faults(*faults)

    problem = assert_problem(await world.order(person(s.PERSON_CLEAN)), status, code)

    assert problem["order_status"] == order_status
    row = await world.order_row(problem["order_id"])
    assert (row["status"], row["failure_code"]) == (order_status, code)
    assert await world.charges() == []
    if status == 503:
        assert "detail" in problem
    # the same key again tells the same (never orders again)
    history = (await world.client.get("/api/v1/credit/orders", headers=world.orderer)).json()
    assert [o["id"] for o in history["orders"]] == [problem["order_id"]]


@pytest.mark.parametrize(
    ("fault", "after", "charged", "letters"),
    [
        ("slow", "completed", 1, 1),
        ("reset", "completed", 1, 1),
        ("malformed", "completed", 1, 1),
        ("hang", "failed", 0, 0),
    ],
)
async def test_an_order_in_doubt_is_settled_by_its_reference_never_ordered_again(
    world: CreditorWorld, bureau: Bureau, fault: str, after: str, charged: int, letters: int
) -> None:
    await bureau.faults(fault)
    problem = assert_problem(await world.order(person(s.PERSON_REMARKS)), 504, "bureau-timeout")
    order_id = problem["order_id"]
    if fault == "hang":
        await asyncio.sleep(3.2)  # the bureau gave up on it without making a report

    response = await world.client.post(
        f"/api/v1/credit/orders/{order_id}/reconciliation", headers=world.orderer
    )

    assert response.json() == {"order_id": order_id, "status": after}
    assert len(await world.charges()) == charged
    assert len(await bureau.calls(uuid.UUID(order_id))) == charged  # no second order
    assert len(await bureau.gjenparter(uuid.UUID(order_id))) == letters
    read = (
        await world.client.get(f"/api/v1/credit/orders/{order_id}", headers=world.orderer)
    ).json()
    assert read["status"] == after
    assert (read["report"] is not None) == (after == "completed")
    again = await world.client.post(
        f"/api/v1/credit/orders/{order_id}/reconciliation", headers=world.orderer
    )
    assert again.json()["status"] == after
    assert len(await world.charges()) == charged


async def test_a_refused_token_is_renewed_once_and_429_503_are_retried(
    world: CreditorWorld, bureau: Bureau, service: CreditService
) -> None:
    await bureau.faults("401")
    assert (await world.order(company(s.AS_HEALTHY))).status_code == 201
    await bureau.faults("503", "429")
    assert (await world.order(company(s.AS_RISKY))).status_code == 201
    await bureau.http.post("/_sim/expire-tokens")
    assert (await world.order(company(s.AS_NEW))).status_code == 201
    assert service.bureau.tokens_fetched == 3  # type: ignore[attr-defined]
    assert len(await world.charges()) == 3


async def test_an_open_circuit_fails_fast_without_calling_the_bureau(
    world: CreditorWorld, bureau: Bureau, service: CreditService
) -> None:
    breaker = service.bureau.breaker  # type: ignore[attr-defined]
    breaker.threshold = 2
    await bureau.faults("500", "500")
    for _ in range(2):
        assert_problem(await world.order(company(s.AS_HEALTHY)), 502, "bureau-error")
    calls = len(await bureau.calls())

    problem = assert_problem(await world.order(company(s.AS_HEALTHY)), 503, "bureau-unavailable")

    assert len(await bureau.calls()) == calls
    assert problem["order_status"] == "failed"
    assert breaker.state == "open"
    assert await world.charges() == []


async def test_fifty_concurrent_orders_with_ten_percent_faults_are_charged_exactly(
    world: CreditorWorld, bureau: Bureau, service: CreditService
) -> None:
    await bureau.faults("500", "502", "503", "503", "503")  # 10 %: three fail, one 503 retried
    subjects = [
        company(s.AS_HEALTHY if i % 2 else s.AS_RISKY) if i % 5 else person(s.PERSON_CLEAN)
        for i in range(50)
    ]
    # company reports reuse within the window would hide calls: distinct creditors' users
    worlds = [world] + [
        await CreditorWorld(service, world.signer, world.client).register() for _ in range(9)
    ]

    responses = await asyncio.gather(
        *(worlds[i % 10].order(subject) for i, subject in enumerate(subjects))
    )

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 502, 503}, statuses
    completed = [r.json()["id"] for r in responses if r.status_code == 201]
    failed = [r.json()["order_id"] for r in responses if r.status_code != 201]
    assert len(completed) + len(failed) == 50
    assert len(failed) >= 2
    charged = [c["order_id"] for w in worlds for c in await w.charges()]
    bought = [
        r.json()["id"]
        for r in responses
        if r.status_code == 201 and r.json()["reused_from"] is None
    ]
    assert sorted(charged) == sorted(bought)  # one charge per bought order, none for failures
    assert len(set(charged)) == len(charged)
    for order_id in failed:
        assert (await world.order_row(order_id))["status"] == "failed"


async def test_the_reconciler_settles_old_orders_in_doubt_and_leaves_young_ones(
    world: CreditorWorld, bureau: Bureau, service: CreditService
) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from credit.service_layer.ordering import reconcile_due

    await bureau.faults("slow")
    problem = assert_problem(await world.order(company(s.AS_NO_CREDIT)), 504, "bureau-timeout")
    young = await reconcile_due(service.ordering())
    assert problem["order_id"] not in str(young)
    assert (await world.order_row(problem["order_id"]))["status"] == "unknown"

    ctx = replace(
        service.ordering(), policy=replace(service.policy(), reconcile_after=timedelta(0))
    )
    counts = await reconcile_due(ctx)

    assert counts.get("completed", 0) >= 1
    assert (await world.order_row(problem["order_id"]))["status"] == "completed"
    assert [c["order_id"] for c in await world.charges()] == [problem["order_id"]]
