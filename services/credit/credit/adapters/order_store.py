"""Orders, their transitions, reports and the access log, over one session."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit.adapters.orm import access_log, order_transitions, orders, reports

# The statements of every order, built once: building one (and its cache key) per call
# was a good part of SQLAlchemy's CPU time per order; the values are bound at execution.
_BY_KEY = select(orders).where(
    orders.c.creditor_id == bindparam("creditor_id"),
    orders.c.ordered_by == bindparam("ordered_by"),
    orders.c.idempotency_key == bindparam("idempotency_key"),
)
_GET = select(orders).where(orders.c.id == bindparam("order_id"))
_GET_LOCKED = _GET.with_for_update()
_ADD = (
    pg_insert(orders)
    .on_conflict_do_nothing(
        index_elements=[orders.c.creditor_id, orders.c.ordered_by, orders.c.idempotency_key]
    )
    .returning(orders.c.id)
)
_ADD_TRANSITION = insert(order_transitions)
_ADD_REPORT = insert(reports).returning(*reports.c)
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

    async def add(self, values: dict[str, Any]) -> bool:
        """Record a new order; False when its Idempotency-Key was taken meanwhile."""
        result = await self.session.execute(_ADD, values)
        if result.first() is None:
            return False
        await self.session.execute(
            _ADD_TRANSITION,
            {
                "order_id": values["id"],
                "from_status": None,
                "to_status": values["status"],
                "failure_code": values.get("failure_code"),
            },
        )
        return True

    async def get(self, order_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any] | None:
        query = _GET_LOCKED if lock else _GET
        row = (await self.session.execute(query, {"order_id": order_id})).mappings().first()
        return dict(row) if row else None

    async def settle(
        self,
        order_id: uuid.UUID,
        *,
        from_status: str,
        to_status: str,
        failure_code: str | None = None,
        bureau_reference: str | None = None,
        allowed_purposes: list[str] | None = None,
        purchased_on: date | None = None,
        settled: bool = True,
    ) -> dict[str, Any] | None:
        """Move the order on (only from ``from_status``); the order's row as it is now."""
        values: dict[str, Any] = {"status": to_status, "failure_code": failure_code}
        if bureau_reference is not None:
            values["bureau_reference"] = bureau_reference
        if allowed_purposes is not None:
            values["allowed_purposes"] = allowed_purposes
        if purchased_on is not None:
            values["purchased_on"] = purchased_on
        if settled:
            values["settled_at"] = func.now()
        row = (
            (
                await self.session.execute(
                    update(orders)
                    .where(orders.c.id == order_id, orders.c.status == from_status)
                    .values(**values)
                    .returning(*orders.c)
                )
            )
            .mappings()
            .first()
        )
        await self.session.execute(
            _ADD_TRANSITION,
            {
                "order_id": order_id,
                "from_status": from_status,
                "to_status": to_status,
                "failure_code": failure_code,
            },
        )
        return dict(row) if row else None

    async def add_report(self, order_id: uuid.UUID, values: dict[str, Any]) -> dict[str, Any]:
        """Store the order's report; its row as stored."""
        params = {"order_id": order_id, **values}
        row = (await self.session.execute(_ADD_REPORT, params)).mappings().one()
        return dict(row)

    async def report(self, order_id: uuid.UUID) -> dict[str, Any] | None:
        row = (
            (await self.session.execute(select(reports).where(reports.c.order_id == order_id)))
            .mappings()
            .first()
        )
        return dict(row) if row else None

    async def recent_company_report(
        self, creditor_id: uuid.UUID, subject_index: str, product_code: str, since: datetime
    ) -> dict[str, Any] | None:
        """The newest completed, bought (not itself re-shown) company report of this creditor
        on the subject since ``since``, with its report row's values; never an ENK's."""
        row = (
            (
                await self.session.execute(
                    select(orders.c.id, reports)
                    .join(reports, reports.c.order_id == orders.c.id)
                    .where(
                        and_(
                            orders.c.creditor_id == creditor_id,
                            orders.c.subject_index == subject_index,
                            orders.c.product_code == product_code,
                            orders.c.subject_kind == "company",
                            orders.c.status == "completed",
                            orders.c.reused_from.is_(None),
                            orders.c.created_at >= since,
                            # a sole proprietorship (ENK) is a person: never shown again
                            reports.c.document["copy_letter_expected"].as_boolean().is_(False),
                        )
                    )
                    .order_by(orders.c.created_at.desc())
                    .limit(1)
                )
            )
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
