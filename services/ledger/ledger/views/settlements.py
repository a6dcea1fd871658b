"""Settlements and their lines, scoped to the creditor for creditor users."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.orm import payout_files, settlement_lines, settlements

_COLUMNS = tuple(c for c in settlements.c if c.name not in {"created_by"})


async def list_settlements(
    session: AsyncSession,
    *,
    tenant: uuid.UUID | None,
    creditor_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int = 100,
    after: str | None = None,
    updated_since: datetime | None = None,
) -> list[dict[str, Any]]:
    """Newest number first; ``after`` a settlement number (keyset). ``updated_since``:
    created, posted or voided at or after that instant (an integration's sync)."""
    query = select(*_COLUMNS)
    if updated_since is not None:
        changed = func.greatest(
            settlements.c.created_at, settlements.c.completed_at, settlements.c.voided_at
        )
        query = query.where(changed >= updated_since)
    if tenant is not None:
        query = query.where(settlements.c.creditor_id == tenant)
    if creditor_id is not None:
        query = query.where(settlements.c.creditor_id == creditor_id)
    if status is not None:
        query = query.where(settlements.c.status == status)
    if after is not None:
        query = query.where(settlements.c.number < after)
    query = query.order_by(settlements.c.number.desc()).limit(limit)
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def settlement(
    session: AsyncSession, settlement_id: uuid.UUID, *, tenant: uuid.UUID | None
) -> dict[str, Any] | None:
    query = select(*_COLUMNS).where(settlements.c.settlement_id == settlement_id)
    if tenant is not None:
        query = query.where(settlements.c.creditor_id == tenant)
    row = (await session.execute(query)).mappings().first()
    return dict(row) if row else None


async def lines(session: AsyncSession, settlement_id: uuid.UUID) -> list[dict[str, Any]]:
    query = (
        select(settlement_lines)
        .where(settlement_lines.c.settlement_id == settlement_id)
        .order_by(settlement_lines.c.value_date, settlement_lines.c.id)
    )
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def payout_file(session: AsyncSession, message_id: str) -> dict[str, Any] | None:
    row = (
        (await session.execute(select(payout_files).where(payout_files.c.message_id == message_id)))
        .mappings()
        .first()
    )
    return dict(row) if row else None
