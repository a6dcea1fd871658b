"""Payments: those of a case or a creditor, and the unmatched queue."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.orm import ledger_cases, payment_allocations, payments, unmatched_payments

_COLUMNS = (
    payments.c.payment_id,
    payments.c.source,
    payments.c.kid,
    payments.c.amount_ore,
    payments.c.currency,
    payments.c.value_date,
    payments.c.status,
    payments.c.case_id,
    payments.c.received_at,
    payments.c.updated_at,
)


def _scoped(query: Select[Any], tenant: uuid.UUID | None) -> Select[Any]:
    if tenant is None:
        return query
    return query.join(ledger_cases, ledger_cases.c.case_id == payments.c.case_id).where(
        ledger_cases.c.creditor_id == tenant
    )


async def list_payments(
    session: AsyncSession,
    *,
    tenant: uuid.UUID | None,
    case_id: uuid.UUID | None = None,
    value_from: date | None = None,
    value_to: date | None = None,
    status: str | None = None,
    after: uuid.UUID | None = None,
    limit: int = 100,
    updated_since: datetime | None = None,
) -> list[dict[str, Any]]:
    """Payments by id (keyset: ``after`` a payment id). ``updated_since``: received, or
    matched, moved or reversed, at or after that instant (an integration's sync)."""
    query = _scoped(select(*_COLUMNS), tenant)
    if updated_since is not None:
        query = query.where(payments.c.updated_at >= updated_since)
    if case_id is not None:
        query = query.where(payments.c.case_id == case_id)
    if value_from is not None:
        query = query.where(payments.c.value_date >= value_from)
    if value_to is not None:
        query = query.where(payments.c.value_date <= value_to)
    if status is not None:
        query = query.where(payments.c.status == status)
    if after is not None:
        query = query.where(payments.c.payment_id > after)
    query = query.order_by(payments.c.payment_id).limit(limit)
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def payment(
    session: AsyncSession, payment_id: uuid.UUID, *, tenant: uuid.UUID | None
) -> dict[str, Any] | None:
    query = _scoped(select(*_COLUMNS), tenant).where(payments.c.payment_id == payment_id)
    row = (await session.execute(query)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["allocations"] = [
        dict(a)
        for a in (
            await session.execute(
                select(payment_allocations)
                .where(payment_allocations.c.payment_id == payment_id)
                .order_by(payment_allocations.c.id)
            )
        ).mappings()
    ]
    return found


async def unmatched(
    session: AsyncSession, *, status: str = "open", after: uuid.UUID | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    query = (
        select(
            *_COLUMNS,
            unmatched_payments.c.reason,
            unmatched_payments.c.candidate_case_ids,
            unmatched_payments.c.status.label("queue_status"),
            unmatched_payments.c.resolution,
            unmatched_payments.c.resolved_case_id,
            unmatched_payments.c.resolved_at,
            unmatched_payments.c.payer_name,
            unmatched_payments.c.payer_account,
            unmatched_payments.c.message,
        )
        .join(payments, payments.c.payment_id == unmatched_payments.c.payment_id)
        .where(unmatched_payments.c.status == status)
    )
    if after is not None:
        query = query.where(unmatched_payments.c.payment_id > after)
    query = query.order_by(unmatched_payments.c.payment_id).limit(limit)
    return [dict(r) for r in (await session.execute(query)).mappings()]
