"""The dead-letter endpoints every service serves (servicekit.ops), on a real broker and
database: a poison message really dead-lettered, listed, inspected, replayed and consumed;
another purged with a reason; every action in the append-only audit table; nobody without
the ops role gets in."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import aio_pika
import httpx
import pytest
from fastapi import FastAPI
from servicekit.ops import AUDIT_TABLE_DDL, dead_letter_router
from servicekit.problems import install_problem_handlers
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from .harness import Kit

pytestmark = pytest.mark.integration

ORG = uuid.uuid4()


@pytest.fixture
async def kit(kit_factory) -> Kit:  # type: ignore[no-untyped-def]
    kit: Kit = await kit_factory(poison={3}, retry_delays=(0.2, 0.2)).start()
    for statement in AUDIT_TABLE_DDL:
        await kit.execute(statement)
    return kit


@pytest.fixture
def signer() -> TestSigner:
    return TestSigner()


@pytest.fixture
async def client(kit: Kit, signer: TestSigner) -> AsyncIterator[httpx.AsyncClient]:
    async def connection() -> aio_pika.abc.AbstractRobustConnection:
        return kit.connection

    app = FastAPI()
    app.state.token_verifier = signer.verifier()
    install_problem_handlers(app)
    app.include_router(
        dead_letter_router(
            service="kit", topology=kit.topology, engine=kit.engine, connection=connection
        )
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as http:
        yield http


def ops(signer: TestSigner) -> dict[str, str]:
    return signer.headers(organisation_id=ORG, roles=[Roles.CASE_HANDLER, Roles.OPS])


BASE = "/api/v1/kit/ops/dead-letters"


async def test_poison_message_listed_inspected_replayed_and_consumed(
    kit: Kit, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    kit.run_consumer()
    kit.run_relay()
    await kit.emit(5)

    async def poison_dead() -> bool:
        return (await kit.effect_counts())[0] >= 4 and await kit.dead_letter_count() == 1

    await wait_for(poison_dead, seconds=60, what="4 effects and the poison dead-lettered")

    queues = (await client.get(BASE, headers=ops(signer))).json()
    assert queues["queues"] == [{"queue": "kit.events", "dead_letters": 1, "waiting": 0}]
    listing = (await client.get(f"{BASE}/kit.events", headers=ops(signer))).json()
    assert listing["count"] == 1
    [letter] = listing["items"]
    assert letter["event_type"] == "kit.thing.happened"
    assert letter["dead_lettered_by"] == kit.service  # the consumer, not the broker
    assert letter["attempts"] == 2
    assert "cannot apply thing 3" in letter["error"]

    detail = await client.get(f"{BASE}/kit.events/{letter['event_id']}", headers=ops(signer))
    assert detail.status_code == 200
    assert detail.json()["payload"]["data"]["seq"] == 3
    assert "x-last-error" in detail.json()["headers"]

    kit.poison.clear()  # the bug is fixed: replay
    replay = await client.post(
        f"{BASE}/kit.events/replay", json={"event_ids": [letter["event_id"]]}, headers=ops(signer)
    )
    assert replay.json() == {"count": 1}

    async def consumed() -> bool:
        return (await kit.effect_counts())[0] >= 5

    await wait_for(consumed, seconds=30, what="the replayed event consumed")
    assert await kit.effect_counts() == (5, 5)
    assert await kit.dead_letter_count() == 0
    async with kit.engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT action, event_ids, count FROM ops_audit ORDER BY id"))
        ).all()
    assert [(r.action, r.count) for r in rows] == [
        ("dead_letter.inspected", 1),
        ("dead_letter.replayed", 1),
    ]
    assert rows[1].event_ids == [letter["event_id"]]


async def test_personal_fields_masked_and_purge_needs_a_reason(
    kit: Kit, client: httpx.AsyncClient, signer: TestSigner
) -> None:
    kit.run_consumer()
    event_id = str(uuid.uuid4())
    body = {
        "event_id": event_id,
        "payload": {"debtor_name": "Ola Nordmann", "note": "ring 12345678", "amount_ore": 100},
        "contact": "ola.nordmann@example.no fnr 01017012345",
    }
    async with kit.connection.channel(publisher_confirms=True) as channel:
        exchange = await channel.get_exchange(kit.topology.exchange)
        await exchange.publish(
            aio_pika.Message(json.dumps(body).encode(), message_id=event_id),
            routing_key=kit.spec.routing_keys[0],
        )

    async def dead() -> bool:
        return await kit.dead_letter_count() == 1

    await wait_for(dead, seconds=30, what="the unreadable message dead-lettered")
    detail = (await client.get(f"{BASE}/kit.events/{event_id}", headers=ops(signer))).json()
    shown = json.dumps(detail)
    for personal in ("Nordmann", "01017012345", "12345678"):
        assert personal not in shown
    assert detail["payload"]["payload"] == {
        "debtor_name": "[skjult]",
        "note": "[skjult]",
        "amount_ore": 100,
    }

    no_reason = await client.post(
        f"{BASE}/kit.events/purge", json={"all": True}, headers=ops(signer)
    )
    assert no_reason.status_code == 422
    assert await kit.dead_letter_count() == 1
    purged = await client.post(
        f"{BASE}/kit.events/purge",
        json={"all": True, "reason": "testmelding uten eier"},
        headers=ops(signer),
    )
    assert purged.json() == {"count": 1}
    assert await kit.dead_letter_count() == 0
    async with kit.engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT reason, event_ids FROM ops_audit WHERE action = 'dead_letter.purged'")
            )
        ).one()
    assert (row.reason, row.event_ids) == ("testmelding uten eier", "all")
    with pytest.raises(DBAPIError, match="append-only"):
        await kit.execute("DELETE FROM ops_audit")


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        (None, 401),
        ([Roles.AGENCY_ADMIN], 403),
        ([Roles.CASE_HANDLER], 403),
        ([Roles.CREDITOR, Roles.OPS], 403),  # the role outside the agency is worth nothing
    ],
)
async def test_only_agency_staff_with_the_ops_role(
    client: httpx.AsyncClient, signer: TestSigner, roles: list[str] | None, status: int
) -> None:
    headers = {} if roles is None else signer.headers(organisation_id=ORG, roles=roles)
    for method, path, body in (
        ("GET", BASE, None),
        ("GET", f"{BASE}/kit.events", None),
        ("POST", f"{BASE}/kit.events/replay", {"all": True}),
        ("POST", f"{BASE}/kit.events/purge", {"all": True, "reason": "rydding"}),
    ):
        answer = await client.request(method, path, json=body, headers=headers)
        assert answer.status_code == status, (method, path)


async def test_unknown_queue_is_not_found(client: httpx.AsyncClient, signer: TestSigner) -> None:
    answer = await client.get(f"{BASE}/other.events", headers=ops(signer))
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
