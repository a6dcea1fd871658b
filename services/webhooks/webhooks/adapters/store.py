"""SQL of the webhooks service: endpoints, the fan-out of events, claiming and recording
deliveries. Set-based: one statement per batch, never one per event."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from webhooks.adapters.orm import attempts, deliveries, endpoints
from webhooks.domain.catalogue import WebhookEvent

_FAN_OUT = text(
    """
    WITH new AS (
        INSERT INTO messages (id, organisation_id, event_type, body, occurred_at)
        SELECT * FROM unnest(
            CAST(:ids AS uuid[]), CAST(:orgs AS uuid[]), CAST(:types AS varchar[]),
            CAST(:bodies AS text[]), CAST(:times AS timestamptz[])
        )
        ON CONFLICT (id) DO NOTHING
        RETURNING id, organisation_id, event_type
    )
    INSERT INTO deliveries (message_id, endpoint_id)
    SELECT new.id, e.id
    FROM new JOIN endpoints e
      ON e.organisation_id = new.organisation_id
     AND e.enabled
     AND new.event_type = ANY(e.event_types)
    ON CONFLICT (message_id, endpoint_id) DO NOTHING
    """
)


async def fan_out(session: AsyncSession, events: Sequence[WebhookEvent]) -> None:
    """Store the events (once per id) and one pending delivery per subscribed endpoint."""
    if not events:
        return
    await session.execute(
        _FAN_OUT,
        {
            "ids": [e.id for e in events],
            "orgs": [e.organisation_id for e in events],
            "types": [e.type for e in events],
            "bodies": [e.body() for e in events],
            "times": [e.occurred_at for e in events],
        },
    )


_CLAIM = text(
    """
    WITH due AS (
        SELECT d.id
        FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.enabled
        ORDER BY d.next_attempt_at
        LIMIT :limit
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE deliveries d
    SET next_attempt_at = now() + make_interval(secs => :lease),
        attempts = d.attempts + 1,
        updated_at = now()
    FROM due, messages m, endpoints e
    WHERE d.id = due.id AND m.id = d.message_id AND e.id = d.endpoint_id
    RETURNING d.id, d.message_id, d.endpoint_id, d.attempts, m.body, e.url, e.secret,
              e.previous_secret, e.previous_secret_until
    """
)


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    message_id: uuid.UUID
    endpoint_id: uuid.UUID
    attempt: int
    body: str
    url: str
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None


async def claim(session: AsyncSession, limit: int, lease: timedelta) -> list[ClaimedDelivery]:
    """Due deliveries of enabled endpoints, leased to this worker (others skip them); a
    worker that dies leaves them to be claimed again when the lease ends."""
    rows = await session.execute(_CLAIM, {"limit": limit, "lease": lease.total_seconds()})
    return [ClaimedDelivery(*row) for row in rows.all()]


@dataclass(frozen=True)
class Outcome:
    """What one attempt did, and what follows for its delivery."""

    delivery: ClaimedDelivery
    attempted_at: datetime
    outcome: str
    status_code: int | None
    latency_ms: int
    excerpt: str | None
    next_attempt_at: datetime | None
    """None with a failure: the schedule is exhausted (``failed``)."""

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"


async def record(
    session: AsyncSession, outcomes: Sequence[Outcome]
) -> list[tuple[uuid.UUID, uuid.UUID, datetime]]:
    """The attempts into the log; each delivery delivered, rescheduled or failed; the
    endpoints' health (``failing_since``); a 410's endpoint disabled (returned)."""
    if not outcomes:
        return []
    await session.execute(
        insert(attempts),
        [
            {
                "delivery_id": o.delivery.id,
                "endpoint_id": o.delivery.endpoint_id,
                "message_id": o.delivery.message_id,
                "attempted_at": o.attempted_at,
                "outcome": o.outcome,
                "status_code": o.status_code,
                "latency_ms": o.latency_ms,
                "response_excerpt": o.excerpt,
            }
            for o in outcomes
        ],
    )
    d = deliveries
    await session.execute(
        update(d)
        .where(d.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            next_attempt_at=bindparam("b_next"),
            last_status_code=bindparam("b_code"),
            updated_at=func.now(),
        )
        .execution_options(synchronize_session=False),
        [
            {
                "b_id": o.delivery.id,
                "b_status": _status(o),
                "b_next": o.next_attempt_at or o.attempted_at,
                "b_code": o.status_code,
            }
            for o in outcomes
        ],
    )
    healthy = sorted({o.delivery.endpoint_id for o in outcomes if o.delivered})
    failing = sorted({o.delivery.endpoint_id for o in outcomes if not o.delivered} - set(healthy))
    gone = sorted({o.delivery.endpoint_id for o in outcomes if o.status_code == 410})
    e = endpoints
    if healthy:
        await session.execute(update(e).where(e.c.id.in_(healthy)).values(failing_since=None))
    if failing:
        first = min(o.attempted_at for o in outcomes)
        await session.execute(
            update(e)
            .where(e.c.id.in_(failing), e.c.failing_since.is_(None))
            .values(failing_since=first)
        )
    return await disable(session, gone, "gone") if gone else []


def _status(outcome: Outcome) -> str:
    if outcome.delivered:
        return "delivered"
    return "pending" if outcome.next_attempt_at is not None else "failed"


async def disable(
    session: AsyncSession, endpoint_ids: Sequence[uuid.UUID], reason: str
) -> list[tuple[uuid.UUID, uuid.UUID, datetime]]:
    """Disable the still-enabled ones of ``endpoint_ids``: (id, organisation, when) each."""
    e = endpoints
    rows = await session.execute(
        update(e)
        .where(e.c.id.in_(endpoint_ids), e.c.enabled)
        .values(enabled=False, disabled_reason=reason, updated_at=func.now())
        .returning(e.c.id, e.c.organisation_id, e.c.updated_at)
    )
    return [(r[0], r[1], r[2]) for r in rows.all()]


async def long_failing(session: AsyncSession, since: datetime) -> list[uuid.UUID]:
    e = endpoints
    rows = await session.execute(
        select(e.c.id)
        .where(e.c.enabled, e.c.failing_since < since)
        .with_for_update(skip_locked=True)
    )
    return list(rows.scalars())


_REDELIVER = text(
    """
    INSERT INTO deliveries (message_id, endpoint_id)
    SELECT m.id, e.id
    FROM messages m JOIN endpoints e ON e.organisation_id = m.organisation_id
    WHERE e.id = :endpoint_id
      AND m.organisation_id = :organisation_id
      AND (CAST(:message_id AS uuid) IS NULL OR m.id = CAST(:message_id AS uuid))
      AND (CAST(:since AS timestamptz) IS NULL OR m.created_at >= CAST(:since AS timestamptz))
      AND (CAST(:until AS timestamptz) IS NULL OR m.created_at < CAST(:until AS timestamptz))
      AND m.event_type = ANY(e.event_types)
    ORDER BY m.created_at
    LIMIT :limit
    ON CONFLICT (message_id, endpoint_id) DO UPDATE
        SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
    RETURNING id
    """
)


async def redeliver(
    session: AsyncSession,
    *,
    organisation_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    message_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> int:
    """Queue the endpoint's events again (one, or those of a time range): how many."""
    rows = await session.execute(
        _REDELIVER,
        {
            "organisation_id": organisation_id,
            "endpoint_id": endpoint_id,
            "message_id": message_id,
            "since": since,
            "until": until,
            "limit": limit,
        },
    )
    return len(rows.all())
