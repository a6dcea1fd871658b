"""``Idempotency-Key`` on the webhooks API's POSTs: the same key and body make one effect
and replay the first answer (the secret included, opened from its sealed copy); the same
key with another body is refused with 422."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from simulators.webhook_receiver import WebhookReceiver

from .helpers import new_endpoint

pytestmark = pytest.mark.integration

Admin = Callable[[uuid.UUID], dict[str, str]]
P = "/api/v1/webhooks/endpoints"


async def test_creating_twice_with_one_key_makes_one_endpoint(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver
) -> None:
    org = uuid.uuid4()
    headers = {**admin_of(org), "Idempotency-Key": str(uuid.uuid4())}
    body = {"url": f"{receiver.url}/idem", "event_types": ["case.registered"]}

    first = await api.post(P, json=body, headers=headers)
    again = await api.post(P, json=body, headers=headers)

    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.json() == first.json()
    assert first.json()["secret"].startswith("whsec_")
    assert again.headers["location"] == f"{P}/{first.json()['id']}"
    listed = (await api.get(P, headers=admin_of(org))).json()
    assert [e["id"] for e in listed] == [first.json()["id"]]

    other = await api.post(P, json={**body, "description": "another"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")


async def test_rotation_and_redelivery_once_per_key(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver
) -> None:
    org = uuid.uuid4()
    admin = admin_of(org)  # keys are the caller's: one admin throughout
    created = await new_endpoint(api, admin, f"{receiver.url}/idem-rot")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    path = f"{P}/{created['id']}"

    first = await api.post(f"{path}/rotate-secret", headers={**admin, **key})
    again = await api.post(f"{path}/rotate-secret", headers={**admin, **key})
    assert first.status_code == 200, first.text
    assert again.json() == first.json()
    assert first.json()["secret"] != created["secret"]
    # without a key, a rotation is a new one
    fresh = await api.post(f"{path}/rotate-secret", headers=admin)
    assert fresh.json()["secret"] not in (first.json()["secret"], created["secret"])

    elsewhere = await new_endpoint(api, admin, f"{receiver.url}/idem-rot2")
    reused = await api.post(f"{P}/{elsewhere['id']}/rotate-secret", headers={**admin, **key})
    assert reused.status_code == 422

    since = {"since": "2026-01-01T00:00:00+00:00"}
    red_key = {**admin, "Idempotency-Key": str(uuid.uuid4())}
    queued = await api.post(f"{path}/redeliver", json=since, headers=red_key)
    replay = await api.post(f"{path}/redeliver", json=since, headers=red_key)
    assert queued.status_code == 202, queued.text
    assert replay.status_code == 202
    assert replay.json() == queued.json()
    refused = await api.post(
        f"{path}/redeliver", json={"since": "2026-02-01T00:00:00+00:00"}, headers=red_key
    )
    assert refused.status_code == 422
