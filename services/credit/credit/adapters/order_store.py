"""Orders, their transitions, reports and the access log, over one session."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from credit.adapters.orm import access_log, orders, reports

# The statements read on every order's replay or reconciliation, built once (building
# one and its cache key per call was a good part of SQLAlchemy's CPU time); the order path
# itself is credit.adapters.order_path.
_BY_KEY = select(orders).where(
    orders.c.creditor_id == bindparam("creditor_id"),
    orders.c.ordered_by == bindparam("ordered_by"),
    orders.c.idempotency_key == bindparam("idempotency_key"),
)
_GET = select(orders).where(orders.c.id == bindparam("order_id"))
_GET_LOCKED = _GET.with_for_update()
_LOG_ACCESS = insert(access_log)


class OrderStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_key(
        self, creditor_id: uuid.UUID, user_id: uuid.UUID, key: str
    ) -> dict[str, Any] | None:
        params = {"creditor_id": creditor_id, "ordered_by": user_id, "idempotency_key": key}
        row = (await self.session.execute(_BY_KEY, params)).mappings().first()
        return dict(row) if row else None

    async def get(self, order_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any] | None:
        query = _GET_LOCKED if lock else _GET
        row = (await self.session.execute(query, {"order_id": order_id})).mappings().first()
        return dict(row) if row else None

    async def report(self, order_id: uuid.UUID) -> dict[str, Any] | None:
        row = (
            (await self.session.execute(select(reports).where(reports.c.order_id == order_id)))
            .mappings()
            .first()
        )
        return dict(row) if row else None

    async def in_doubt(self, older_than: datetime, limit: int = 100) -> list[uuid.UUID]:
        result = await self.session.execute(
            select(orders.c.id)
            .where(orders.c.status.in_(("pending", "unknown")), orders.c.created_at < older_than)
            .order_by(orders.c.created_at)
            .limit(limit)
        )
        return [r for (r,) in result]

    async def log_access(
        self,
        *,
        action: str,
        user_id: uuid.UUID,
        organisation_id: uuid.UUID,
        order_id: uuid.UUID | None,
        creditor_id: uuid.UUID | None,
        purpose_code: str | None = None,
        ip: str | None = None,
    ) -> None:
        await self.session.execute(
            _LOG_ACCESS,
            {
                "action": action,
                "user_id": user_id,
                "organisation_id": organisation_id,
                "order_id": order_id,
                "creditor_id": creditor_id,
                "purpose_code": purpose_code,
                "ip": ip,
            },
        )

    async def due_for_redaction(self, now: datetime, limit: int = 500) -> list[dict[str, Any]]:
        result = await self.session.execute(
            select(reports.c.order_id, reports.c.document, orders.c.subject_kind)
            .join(orders, orders.c.id == reports.c.order_id)
            .where(reports.c.redacted_at.is_(None), reports.c.redact_after <= now)
            .limit(limit)
            .with_for_update(of=reports, skip_locked=True)
        )
        return [dict(r) for r in result.mappings()]

    async def redact(self, order_id: uuid.UUID, document: dict[str, Any]) -> None:
        await self.session.execute(
            update(reports)
            .where(reports.c.order_id == order_id)
            .values(payload_sealed=None, document=document, redacted_at=func.now())
        )
