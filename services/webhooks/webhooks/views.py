"""Read side: a creditor's endpoints and their delivery log (never a secret)."""

from __future__ import annotations

import uuid
from typing import Any

from servicekit.reads import Query, reading
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from webhooks.adapters.orm import attempts, endpoints, messages

_ENDPOINT_COLUMNS = (
    endpoints.c.id,
    endpoints.c.url,
    endpoints.c.description,
    endpoints.c.event_types,
    endpoints.c.enabled,
    endpoints.c.disabled_reason,
    endpoints.c.failing_since,
    endpoints.c.previous_secret_until,
    endpoints.c.created_at,
)


_LIST_ENDPOINTS = Query(
    select(*_ENDPOINT_COLUMNS)
    .where(endpoints.c.organisation_id == bindparam("organisation_id"))
    .order_by(endpoints.c.created_at)
)


async def list_endpoints(engine: AsyncEngine, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    """The organisation's endpoints, oldest first (one statement on the driver:
    servicekit ``reads``, ADR 0065)."""
    async with reading(engine) as read:
        rows = await read.fetch(_LIST_ENDPOINTS, {"organisation_id": organisation_id})
    return [dict(r) for r in rows]


async def endpoint(
    session: AsyncSession, organisation_id: uuid.UUID, endpoint_id: uuid.UUID
) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                select(*_ENDPOINT_COLUMNS).where(
                    endpoints.c.id == endpoint_id, endpoints.c.organisation_id == organisation_id
                )
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def attempts_log(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    *,
    before: int | None,
    limit: int,
    message_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """The endpoint's attempts, newest first (``before``: an attempt id, the cursor)."""
    a = attempts
    query = (
        select(
            a.c.id,
            a.c.message_id,
            messages.c.event_type,
            a.c.attempted_at,
            a.c.outcome,
            a.c.status_code,
            a.c.latency_ms,
            a.c.response_excerpt,
        )
        .join(messages, messages.c.id == a.c.message_id)
        .where(a.c.endpoint_id == endpoint_id)
        .order_by(a.c.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(a.c.id < before)
    if message_id is not None:
        query = query.where(a.c.message_id == message_id)
    return [dict(r) for r in (await session.execute(query)).mappings()]
