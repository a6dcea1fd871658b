"""Managing a creditor's endpoints: create, change, rotate the secret, redeliver.

Every operation is scoped by the caller's organisation; the URL is checked for its form
and, after resolving its host, for its addresses (the sender checks again on every attempt).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, update

from webhooks.adapters import store
from webhooks.adapters.guarded_network import AddressRefused
from webhooks.adapters.orm import endpoints
from webhooks.adapters.vault import SecretVault
from webhooks.domain.endpoints import TargetUrl, event_filter, new_secret
from webhooks.domain.errors import EndpointNotFound, InvalidInput
from webhooks.service_layer.unit_of_work import WebhooksUnitOfWork

AddressCheck = Callable[[str, int], Awaitable[Any]]
"""Resolves a host and raises :class:`AddressRefused` when the guard refuses it."""

MAX_ENDPOINTS = 20
MAX_REDELIVERY = 10_000


@dataclass(frozen=True)
class EndpointContext:
    uow: Callable[[], WebhooksUnitOfWork]
    vault: SecretVault
    check_address: AddressCheck
    allow_http: bool
    rotation_overlap: timedelta


async def _checked_url(ctx: EndpointContext, url: str) -> str:
    target = TargetUrl.parse(url, allow_http=ctx.allow_http)
    try:
        await ctx.check_address(target.host, target.port)
    except AddressRefused as exc:
        code = "host-unresolvable" if exc.reason == "unresolvable" else "address-forbidden"
        raise InvalidInput("url", code) from exc
    return target.url


async def create_endpoint(
    ctx: EndpointContext,
    organisation_id: uuid.UUID,
    *,
    url: str,
    event_types: list[str],
    description: str,
) -> tuple[uuid.UUID, str]:
    """A new enabled endpoint: its id and its secret (shown once, stored sealed)."""
    types = list(event_filter(event_types))
    checked = await _checked_url(ctx, url)
    endpoint_id, secret = uuid.uuid4(), new_secret()
    async with ctx.uow() as uow:
        if await uow.endpoints.count(organisation_id) >= MAX_ENDPOINTS:
            raise InvalidInput("url", "too-many-endpoints")
        await uow.session.execute(
            insert(endpoints).values(
                id=endpoint_id,
                organisation_id=organisation_id,
                url=checked,
                description=description,
                event_types=types,
                secret=ctx.vault.seal(endpoint_id, secret),
            )
        )
        await uow.commit()
    return endpoint_id, secret


async def change_endpoint(
    ctx: EndpointContext,
    organisation_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    *,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> None:
    values: dict[str, Any] = {}
    if url is not None:
        # another organisation's endpoint is not found, whatever the change asked
        # (checked first: the address check resolves names, outside any transaction)
        async with ctx.uow() as uow:
            await _own(uow, organisation_id, endpoint_id)
        values["url"] = await _checked_url(ctx, url)
    if event_types is not None:
        values["event_types"] = list(event_filter(event_types))
    if description is not None:
        values["description"] = description
    if enabled is not None:
        values["enabled"] = enabled
        values["disabled_reason"] = None if enabled else "manual"
        values["failing_since"] = None
    async with ctx.uow() as uow:
        await _own(uow, organisation_id, endpoint_id)
        if values:
            await uow.session.execute(
                update(endpoints)
                .where(endpoints.c.id == endpoint_id)
                .values(**values, updated_at=func.now())
            )
        await uow.commit()


async def rotate_secret(
    ctx: EndpointContext, organisation_id: uuid.UUID, endpoint_id: uuid.UUID, now: datetime
) -> tuple[str, datetime]:
    """A new secret (shown once); the old one signs too until the returned time."""
    secret = new_secret()
    until = now + ctx.rotation_overlap
    async with ctx.uow() as uow:
        row = await _own(uow, organisation_id, endpoint_id, lock=True)
        await uow.session.execute(
            update(endpoints)
            .where(endpoints.c.id == endpoint_id)
            .values(
                secret=ctx.vault.seal(endpoint_id, secret),
                previous_secret=row["secret"],
                previous_secret_until=until,
                updated_at=func.now(),
            )
        )
        await uow.commit()
    return secret, until


async def redeliver(
    ctx: EndpointContext,
    organisation_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    *,
    message_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
) -> int:
    """Queue one event, or the events of a time range, for the endpoint again."""
    if message_id is None and since is None:
        raise InvalidInput("message_id", "message-or-range-required")
    if since is not None and until is not None and until <= since:
        raise InvalidInput("until", "range-empty")
    async with ctx.uow() as uow:
        await _own(uow, organisation_id, endpoint_id)
        count = await store.redeliver(
            uow.session,
            organisation_id=organisation_id,
            endpoint_id=endpoint_id,
            message_id=message_id,
            since=since,
            until=until,
            limit=MAX_REDELIVERY,
        )
        await uow.commit()
    if message_id is not None and count == 0:
        raise EndpointNotFound()
    return count


async def _own(
    uow: WebhooksUnitOfWork,
    organisation_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    *,
    lock: bool = False,
) -> dict[str, Any]:
    row = await uow.endpoints.get(organisation_id, endpoint_id, lock=lock)
    if row is None:
        raise EndpointNotFound()
    return row
