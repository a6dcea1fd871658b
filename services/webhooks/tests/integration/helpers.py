"""Shared steps of the webhooks integration tests."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from contracts import Envelope
from contracts.cases import CaseRegistered, ClaimRegistered
from servicekit.testing.wait import wait_for
from simulators.webhook_receiver import WebhookReceiver
from sqlalchemy import text
from webhooks.adapters import store
from webhooks.bootstrap import WebhooksService
from webhooks.domain.catalogue import translate


def case_registered(creditor: uuid.UUID) -> Envelope:
    now = datetime.now(UTC)
    return Envelope.wrap(
        CaseRegistered(
            case_id=uuid.uuid4(),
            creditor_id=creditor,
            case_number=f"2026-{uuid.uuid4().int % 10**6:06d}",
            kid="12345678903",
            creditor_reference="INV-1",
            batch_id=uuid.uuid4(),
            channel="api",
            debtor_kind="person",
            claims=[
                ClaimRegistered(
                    claim_id=uuid.uuid4(),
                    invoice_number="1001",
                    invoice_date=now.date(),
                    due_date=now.date(),
                    principal_ore=150_000,
                    reminder_fee_ore=0,
                    limitation_date=now.date(),
                )
            ],
            registered_at=now,
            debtor_name="Ola Nordmann",
        )
    )


async def new_endpoint(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    url: str,
    types: list[str] | None = None,
) -> dict[str, Any]:
    response = await api.post(
        "/api/v1/webhooks/endpoints",
        headers=headers,
        json={"url": url, "event_types": types or ["case.registered"]},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def script(
    receiver: WebhookReceiver,
    path: str,
    secrets: list[str],
    *actions: dict[str, Any],
    default: dict[str, Any] | None = None,
) -> None:
    receiver.inbox.configure(
        path, {"secrets": secrets, "script": list(actions), "default": default or {}}
    )


async def publish_directly(service: WebhooksService, envelope: Envelope) -> None:
    """Fan an event out as the consumer does (for tests about delivery, not the bus)."""
    async with service.session_factory() as session:
        await store.fan_out(session, translate(envelope))
        await session.commit()


async def deliver_until(
    service: WebhooksService, condition: Callable[[], Awaitable[Any]], what: str
) -> Any:
    worker = service.delivery_worker()

    async def round_then_check() -> Any:
        await worker.run_once()
        return await condition()

    return await wait_for(round_then_check, what=what, seconds=30, every=0.05)


async def scalar(service: WebhooksService, sql: str, **params: Any) -> Any:
    async with service.session_factory() as session:
        return await session.scalar(text(sql), params)
