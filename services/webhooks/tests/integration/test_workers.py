"""Consumed events fan out once; several workers share the deliveries (SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from servicekit.testing.bus import running_consumers
from servicekit.testing.wait import wait_for
from simulators.webhook_receiver import WebhookReceiver
from webhooks.bootstrap import WebhooksService

from .helpers import case_registered, new_endpoint, publish_directly, scalar, script

pytestmark = pytest.mark.integration

Admin = Callable[[uuid.UUID], dict[str, str]]


async def test_consumed_events_fan_out_once_to_each_subscribed_endpoint(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org = uuid.uuid4()
    a = await new_endpoint(api, admin_of(org), f"{receiver.url}/fan/{uuid.uuid4().hex}")
    b = await new_endpoint(
        api, admin_of(org), f"{receiver.url}/fan/{uuid.uuid4().hex}", ["payment.received"]
    )
    envelope = case_registered(org)
    async with running_consumers(service) as run:
        await run.publish(envelope, times=2)  # redelivered by the bus: once all the same
        await run.settled(handled=1, duplicate=1)
        assert await run.inbox_count(envelope.event_id) == 1
    to_a = await scalar(
        service, "SELECT count(*) FROM deliveries WHERE endpoint_id = :e", e=uuid.UUID(a["id"])
    )
    to_b = await scalar(
        service, "SELECT count(*) FROM deliveries WHERE endpoint_id = :e", e=uuid.UUID(b["id"])
    )
    assert (to_a, to_b) == (1, 0)


async def test_two_workers_deliver_each_event_exactly_once(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org, path = uuid.uuid4(), f"/many/{uuid.uuid4().hex}"
    endpoint = await new_endpoint(api, admin_of(org), receiver.url + path)
    script(receiver, path, [endpoint["secret"]])
    for _ in range(120):
        await publish_directly(service, case_registered(org))
    stop = asyncio.Event()
    workers = [service.delivery_worker(), service.delivery_worker()]
    for w in workers:
        w.policy = type(w.policy)(**{**w.policy.__dict__, "batch_size": 10})
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]

    async def all_in() -> Any:
        got = receiver.inbox.listing(path)
        return got if len(got) >= 120 else None

    try:
        got = await wait_for(all_in, what="120 deliveries", seconds=60)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    counts = Counter(g["webhook_id"] for g in got)
    assert len(counts) == 120
    assert set(counts.values()) == {1}
    assert all(g["verified"] for g in got)
    attempts = await scalar(
        service, "SELECT count(*) FROM attempts WHERE endpoint_id = :e", e=uuid.UUID(endpoint["id"])
    )
    assert attempts == 120
