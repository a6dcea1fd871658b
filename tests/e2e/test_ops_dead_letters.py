"""Dead letters handled by an ops user, every process real (issue 15 §2): the cases
consumer really dead-letters an unreadable message; the ops user lists and inspects it
through the gateway and purges it with a reason; a dead letter whose cause is gone is
replayed and consumed; every action is in the cases service's audit table; others are
refused by the service itself."""

from __future__ import annotations

import json
import uuid

import aio_pika
import asyncpg
import httpx
import pytest
from devstack.stack import Stack
from servicekit.testing.wait import wait_for

from .identity import Login, sign_in
from .ops_support import QUEUE, creditor_recorded, organisation_registered, put_dead_letter

pytestmark = pytest.mark.e2e

OPS = "drift@infocenter.example"
CASE_HANDLER = "saksbehandler@infocenter.example"
BASE = "/api/v1/cases/ops/dead-letters"


async def test_an_ops_user_inspects_purges_and_replays_dead_letters(
    stack: Stack, gateway: httpx.AsyncClient, demo: dict[str, Login]
) -> None:
    ops = await sign_in(gateway, demo[OPS])
    namespace = stack.config.bus_namespace
    connection = await aio_pika.connect_robust(stack.config.amqp_url)
    try:
        # 1. unreadable: the real consumer dead-letters it at once
        junk_id = str(uuid.uuid4())
        junk = {"event_id": junk_id, "data": {"name": "Ola Nordmann"}}
        async with connection.channel(publisher_confirms=True) as channel:
            exchange = await channel.get_exchange(f"{namespace}events")
            await exchange.publish(
                aio_pika.Message(json.dumps(junk).encode(), message_id=junk_id),
                routing_key="auth.organisation.registered.v1",
            )

        async def listed() -> dict[str, object] | None:
            answer = await gateway.get(f"{BASE}/{QUEUE}", headers=await ops.headers())
            assert answer.status_code == 200, answer.text
            found = [i for i in answer.json()["items"] if i["event_id"] == junk_id]
            return found[0] if found else None

        letter = await wait_for(listed, what="the unreadable message dead-lettered", seconds=60)
        detail = await gateway.get(f"{BASE}/{QUEUE}/{junk_id}", headers=await ops.headers())
        assert detail.status_code == 200
        assert "Ola Nordmann" not in detail.text
        assert detail.json()["payload"]["data"]["name"] == "[skjult]"
        assert letter["dead_lettered_by"] == "cases"
        purged = await gateway.post(
            f"{BASE}/{QUEUE}/purge",
            json={"event_ids": [junk_id], "reason": "ugyldig testmelding"},
            headers=await ops.headers(),
        )
        assert purged.json() == {"count": 1}

        # 2. a dead letter whose cause is gone: replayed and consumed
        organisation, envelope = organisation_registered()
        await put_dead_letter(stack, envelope)
        replayed = await gateway.post(
            f"{BASE}/{QUEUE}/replay",
            json={"event_ids": [str(envelope.event_id)]},
            headers=await ops.headers(),
        )
        assert replayed.json() == {"count": 1}
    finally:
        await connection.close()

    async def consumed() -> bool:
        return await creditor_recorded(stack, organisation)

    await wait_for(consumed, what="the replayed event consumed", seconds=60)
    ops_user_id = await _user_id(gateway, await ops.headers())
    database = await asyncpg.connect(stack.database_url("cases", driver=""))
    try:
        audit = await database.fetch(
            "SELECT action, count, reason FROM ops_audit WHERE actor_id = $1 ORDER BY id",
            ops_user_id,
        )
    finally:
        await database.close()
    assert [(r["action"], r["count"], r["reason"]) for r in audit][-3:] == [
        ("dead_letter.inspected", 1, None),
        ("dead_letter.purged", 1, "ugyldig testmelding"),
        ("dead_letter.replayed", 1, None),
    ]
    left = await gateway.get(f"{BASE}/{QUEUE}", headers=await ops.headers())
    left_ids = {i["event_id"] for i in left.json()["items"]}
    assert not left_ids & {junk_id, str(envelope.event_id)}


async def _user_id(gateway: httpx.AsyncClient, headers: dict[str, str]) -> uuid.UUID:
    me = await gateway.get("/api/v1/auth/me", headers=headers)
    return uuid.UUID(me.json()["id"])


async def test_the_service_itself_refuses_everyone_without_the_ops_role(
    stack: Stack, gateway: httpx.AsyncClient, demo: dict[str, Login]
) -> None:
    handler = await sign_in(gateway, demo[CASE_HANDLER])
    async with httpx.AsyncClient(base_url=stack.service_url("cases"), timeout=10) as cases:
        anonymous = await cases.get(BASE)
        assert anonymous.status_code == 401
        refused = await cases.post(
            f"{BASE}/{QUEUE}/replay", json={"all": True}, headers=await handler.headers()
        )
        assert refused.status_code == 403
