"""Delivery against a real receiver: signed, retried, 410, redirects, SSRF, rotation."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from simulators.webhook_receiver import WebhookReceiver
from webhooks.bootstrap import WebhooksService
from webhooks.domain.catalogue import webhook_id

from .conftest import FakeDns
from .helpers import case_registered, deliver_until, new_endpoint, publish_directly, scalar, script

pytestmark = pytest.mark.integration

Admin = Callable[[uuid.UUID], dict[str, str]]


def _path() -> str:
    return f"/hooks/{uuid.uuid4().hex}"


async def _attempts(api: httpx.AsyncClient, headers: dict[str, str], endpoint: str) -> list[Any]:
    page = await api.get(f"/api/v1/webhooks/endpoints/{endpoint}/attempts", headers=headers)
    assert page.status_code == 200
    return list(reversed(page.json()["attempts"]))


async def test_a_registered_case_arrives_signed_and_verified(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org, path = uuid.uuid4(), _path()
    endpoint = await new_endpoint(api, admin_of(org), receiver.url + path)
    script(receiver, path, [endpoint["secret"]])
    envelope = case_registered(org)
    await publish_directly(service, envelope)
    [got] = await deliver_until(
        service, lambda: _received(receiver, path), "the receiver to get the event"
    )
    assert got["verified"] is True
    assert got["webhook_id"] == str(webhook_id(envelope.event_id, "case.registered"))
    body = json.loads(got["body"])
    assert body["type"] == "case.registered"
    assert body["data"]["case_id"] == str(envelope.data["case_id"])
    assert "Ola" not in got["body"]
    [attempt] = await _attempts(api, admin_of(org), endpoint["id"])
    assert attempt["outcome"] == "delivered"
    assert attempt["status_code"] == 200


async def _received(receiver: WebhookReceiver, path: str, answered: str = "200") -> Any:
    got = receiver.inbox.listing(path)
    return got if any(g["answered"] == answered for g in got) else None


async def test_5xx_resets_timeouts_and_redirects_are_retried_until_a_2xx(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org, path = uuid.uuid4(), _path()
    endpoint = await new_endpoint(api, admin_of(org), receiver.url + path)
    script(
        receiver,
        path,
        [endpoint["secret"]],
        {"status": 503},
        {"reset": True},
        {"status": 200, "delay": 1.5},  # beyond the 1 s timeout: a failure
        {"status": 302, "location": "http://169.254.169.254/"},
    )
    envelope = case_registered(org)
    await publish_directly(service, envelope)

    async def delivered() -> Any:
        status = await scalar(
            service,
            "SELECT status FROM deliveries WHERE endpoint_id = :e",
            e=uuid.UUID(endpoint["id"]),
        )
        return receiver.inbox.listing(path) if status == "delivered" else None

    got = await deliver_until(service, delivered, "a delivery at last")
    assert [g["answered"] for g in got] == ["503", "reset", "200", "302", "200"]
    assert len({g["webhook_id"] for g in got}) == 1  # the same id on every retry
    assert all(g["verified"] for g in got)
    outcomes = [a["outcome"] for a in await _attempts(api, admin_of(org), endpoint["id"])]
    assert outcomes == ["http-error", "connection-error", "timeout", "redirect", "delivered"]


async def test_410_disables_the_endpoint_and_tells_auth(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org, path = uuid.uuid4(), _path()
    endpoint = await new_endpoint(api, admin_of(org), receiver.url + path)
    script(receiver, path, [endpoint["secret"]], default={"status": 410})
    await publish_directly(service, case_registered(org))
    await deliver_until(service, lambda: _received(receiver, path, "410"), "the 410")
    shown = (
        await api.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}", headers=admin_of(org))
    ).json()
    assert shown["enabled"] is False
    assert shown["disabled_reason"] == "gone"
    told = await scalar(
        service,
        "SELECT count(*) FROM outbox WHERE routing_key = 'webhooks.endpoint.disabled.v1' "
        "AND body::jsonb -> 'data' ->> 'endpoint_id' = :e",
        e=endpoint["id"],
    )
    assert told == 1
    await publish_directly(service, case_registered(org))  # no delivery while disabled
    queued = await scalar(
        service,
        "SELECT count(*) FROM deliveries WHERE endpoint_id = :e",
        e=uuid.UUID(endpoint["id"]),
    )
    assert queued == 1


async def test_a_name_rebound_to_a_private_address_is_refused_at_delivery(
    api: httpx.AsyncClient, admin_of: Admin, service: WebhooksService, dns: FakeDns
) -> None:
    org = uuid.uuid4()
    dns.names["rebind.test"] = ["93.184.216.34"]  # public when the endpoint is added
    endpoint = await new_endpoint(api, admin_of(org), "http://rebind.test/hook")
    dns.names["rebind.test"] = ["10.0.0.5"]  # private when the sender resolves it
    await publish_directly(service, case_registered(org))

    async def refused() -> Any:
        attempts = await _attempts(api, admin_of(org), endpoint["id"])
        return attempts if attempts else None

    [attempt, *_] = await deliver_until(service, refused, "the refused attempt")
    assert attempt["outcome"] == "address-refused"
    assert attempt["response_excerpt"] == "private"
    assert attempt["status_code"] is None


async def test_retry_after_is_honoured(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org, path = uuid.uuid4(), _path()
    endpoint = await new_endpoint(api, admin_of(org), receiver.url + path)
    script(receiver, path, [], default={"status": 429, "retry_after": "3600"})
    await publish_directly(service, case_registered(org))
    await deliver_until(service, lambda: _received(receiver, path, "429"), "the 429")
    wait = await scalar(
        service,
        "SELECT extract(epoch FROM next_attempt_at - updated_at) FROM deliveries "
        "WHERE endpoint_id = :e",
        e=uuid.UUID(endpoint["id"]),
    )
    assert 3500 < float(wait) <= 3601


async def test_after_a_rotation_both_secrets_verify_during_the_window(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org, old_path, new_path = uuid.uuid4(), _path(), _path()
    old = await new_endpoint(api, admin_of(org), receiver.url + old_path)
    rotated = await api.post(
        f"/api/v1/webhooks/endpoints/{old['id']}/rotate-secret", headers=admin_of(org)
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != old["secret"]
    # the same endpoint: verify once with the old secret only, then with the new only
    script(receiver, old_path, [old["secret"]])
    await publish_directly(service, case_registered(org))
    [got] = await deliver_until(service, lambda: _received(receiver, old_path), "the delivery")
    assert got["verified"] is True
    assert len(got["signature"].split(" ")) == 2
    script(receiver, old_path, [new_secret])
    await publish_directly(service, case_registered(org))
    got = await deliver_until(
        service,
        lambda: _received_n(receiver, old_path, 2),
        "the second delivery",
    )
    assert got[-1]["verified"] is True
    assert new_path  # (one endpoint is enough: both signatures ride on each request)


async def _received_n(receiver: WebhookReceiver, path: str, n: int) -> Any:
    got = receiver.inbox.listing(path)
    return got if len(got) >= n else None


async def test_redelivery_of_one_event_and_of_a_range(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org, path = uuid.uuid4(), _path()
    endpoint = await new_endpoint(api, admin_of(org), receiver.url + path)
    script(receiver, path, [endpoint["secret"]])
    first, second = case_registered(org), case_registered(org)
    await publish_directly(service, first)
    await publish_directly(service, second)
    await deliver_until(service, lambda: _received_n(receiver, path, 2), "both deliveries")
    redeliver = f"/api/v1/webhooks/endpoints/{endpoint['id']}/redeliver"
    one = str(webhook_id(first.event_id, "case.registered"))
    answer = await api.post(redeliver, headers=admin_of(org), json={"message_id": one})
    assert answer.status_code == 202
    assert answer.json() == {"queued": 1}
    got = await deliver_until(service, lambda: _received_n(receiver, path, 3), "the redelivery")
    assert got[-1]["webhook_id"] == one
    answer = await api.post(
        redeliver, headers=admin_of(org), json={"since": "2000-01-01T00:00:00Z"}
    )
    assert answer.json() == {"queued": 2}
    await deliver_until(service, lambda: _received_n(receiver, path, 5), "the range again")
    missing = await api.post(
        redeliver, headers=admin_of(org), json={"message_id": str(uuid.uuid4())}
    )
    assert missing.status_code == 404
    empty = await api.post(redeliver, headers=admin_of(org), json={})
    assert empty.status_code == 422


async def test_an_endpoint_failing_for_days_is_disabled(
    api: httpx.AsyncClient, admin_of: Admin, receiver: WebhookReceiver, service: WebhooksService
) -> None:
    org, path = uuid.uuid4(), _path()
    endpoint = await new_endpoint(api, admin_of(org), receiver.url + path)
    script(receiver, path, [], default={"status": 500})
    await publish_directly(service, case_registered(org))
    await deliver_until(service, lambda: _received(receiver, path, "500"), "a failure")
    async with service.session_factory() as session:
        from sqlalchemy import text

        await session.execute(
            text("UPDATE endpoints SET failing_since = now() - interval '4 days' WHERE id = :e"),
            {"e": uuid.UUID(endpoint["id"])},
        )
        await session.commit()

    async def disabled() -> Any:
        return await scalar(
            service,
            "SELECT disabled_reason FROM endpoints WHERE id = :e",
            e=uuid.UUID(endpoint["id"]),
        )

    assert await deliver_until(service, disabled, "the endpoint disabled") == "failing"
    reason = await scalar(
        service,
        "SELECT body::jsonb -> 'data' ->> 'reason' FROM outbox "
        "WHERE body::jsonb -> 'data' ->> 'endpoint_id' = :e",
        e=endpoint["id"],
    )
    assert reason == "failing"
