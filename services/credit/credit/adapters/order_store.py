"""Orders, their transitions, reports and the access log, over one session."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, insert, null, select, update
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
_LOGGED = ("action", "user_id", "organisation_id", "purpose_code", "ip")
_ADDING: dict[tuple[str, ...], Select[Any]] = {}
_SETTLING: dict[tuple[str, ...], Select[Any]] = {}


def _adding(columns: tuple[str, ...]) -> Select[Any]:
    """The order's row, its first transition and its access-log line in one statement
    (built once per set of columns): ``INSERT … ON CONFLICT DO NOTHING`` in a CTE, the
    other two inserted from what it returned (nothing, when the key was taken)."""
    found = _ADDING.get(columns)
    if found is not None:
        return found
    added = (
        pg_insert(orders)
        .values({orders.c[c]: bindparam(c) for c in columns})
        .on_conflict_do_nothing(
            index_elements=[orders.c.creditor_id, orders.c.ordered_by, orders.c.idempotency_key]
        )
        .returning(orders.c.id, orders.c.creditor_id, orders.c.status, orders.c.failure_code)
        .cte("added")
    )
    trail = insert(order_transitions).from_select(
        ["order_id", "from_status", "to_status", "failure_code"],
        select(added.c.id, null(), added.c.status, added.c.failure_code),
    )
    logged = insert(access_log).from_select(
        ["order_id", "creditor_id", *_LOGGED],
        select(
            added.c.id,
            added.c.creditor_id,
            *(bindparam(f"log_{c}", type_=access_log.c[c].type) for c in _LOGGED),
        ),
    )
    statement = select(added.c.id).add_cte(trail.cte("trail"), logged.cte("logged"))
    _ADDING[columns] = statement
    return statement


def _values_params(values: dict[str, Any]) -> dict[str, Any]:
    return {f"set_{k}": v for k, v in values.items() if k != "settled_at"}


def _settling(columns: tuple[str, ...]) -> Select[Any]:
    """Move an order on (only from ``from_status``) and add its transition, in one
    statement (built once per set of columns); the order's row as it is now, or none."""
    found = _SETTLING.get(columns)
    if found is not None:
        return found
    assigned = {
        c: (func.now() if c == "settled_at" else bindparam(f"set_{c}", type_=orders.c[c].type))
        for c in columns
    }
    settled = (
        update(orders)
        .where(orders.c.id == bindparam("order_id"), orders.c.status == bindparam("from_status"))
        .values(assigned)
        .returning(*orders.c)
        .cte("settled")
    )
    trail = insert(order_transitions).from_select(
        ["order_id", "from_status", "to_status", "failure_code"],
        select(
            settled.c.id,
            bindparam("trail_from", type_=order_transitions.c.from_status.type),
            bindparam("trail_to", type_=order_transitions.c.to_status.type),
            bindparam("trail_failure", type_=order_transitions.c.failure_code.type),
        ),
    )
    statement = select(settled).add_cte(trail.cte("trail"))
    _SETTLING[columns] = statement
    return statement


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

    async def add(self, values: dict[str, Any], access: dict[str, Any]) -> bool:
        """Record a new order with its first transition and the access-log line of its
        ordering (``action``, ``user_id``, ``organisation_id``, ``purpose_code``, ``ip``),
        in one statement; False (and nothing written) when its Idempotency-Key was taken
        meanwhile."""
        params = {**values, **{f"log_{k}": v for k, v in access.items()}}
        result = await self.session.execute(_adding(tuple(values)), params)
        return result.first() is not None

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
            values["settled_at"] = None  # now(), in the statement
        trail = {"trail_from": from_status, "trail_to": to_status, "trail_failure": failure_code}
        row = (
            (
                await self.session.execute(
                    _settling(tuple(values)),
                    {
                        **_values_params(values),
                        **trail,
                        "order_id": order_id,
                        "from_status": from_status,
                    },
                )
            )
            .mappings()
            .first()
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
