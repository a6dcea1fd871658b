"""Read side: a creditor's connection, its invoices that need a look, its recent syncs."""

from __future__ import annotations

import uuid
from typing import Any

from servicekit.reads import Query, reading
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from integrations.adapters.orm import connections, erp_invoices, sync_runs


async def connection_of(session: AsyncSession, creditor_id: uuid.UUID) -> dict[str, Any] | None:
    c = connections.c
    row = (
        await session.execute(
            select(
                c.connection_id,
                c.erp,
                c.company_id,
                c.status,
                c.last_sync_at,
                c.last_sync_outcome,
                c.next_sync_at,
                c.created_at,
            ).where(c.creditor_id == creditor_id)
        )
    ).first()
    if row is None:
        return None
    t = erp_invoices.c
    counts = await session.execute(
        select(t.state, func.count(), func.count(t.conflict))
        .where(t.connection_id == row.connection_id)
        .group_by(t.state)
    )
    by_state = {"handed_over": 0, "registered": 0, "refused": 0}
    conflicts = 0
    for state, n, with_conflict in counts:
        by_state[state] = int(n)
        conflicts += int(with_conflict)
    return {**row._mapping, "invoices": by_state, "conflicts": conflicts}


async def invoices_needing_attention(
    session: AsyncSession, creditor_id: uuid.UUID, *, after: int | None, limit: int
) -> list[dict[str, Any]]:
    """Refused invoices and cases whose invoice changed in the ERP, by invoice id."""
    t = erp_invoices.c
    query = (
        select(
            t.invoice_id,
            t.invoice_number,
            t.state,
            t.case_number,
            t.error_fields,
            t.conflict,
            t.outstanding_ore,
            t.due_date,
            t.updated_at,
        )
        .where(
            t.creditor_id == creditor_id,
            (t.state == "refused") | t.conflict.is_not(None),
        )
        .order_by(t.invoice_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(t.invoice_id > after)
    return [dict(r._mapping) for r in await session.execute(query)]


_RECENT_RUNS = Query(
    select(
        sync_runs.c.started_at,
        sync_runs.c.finished_at,
        sync_runs.c.outcome,
        sync_runs.c.invoices_read,
        sync_runs.c.handed_over,
        sync_runs.c.changed,
        sync_runs.c.payments_noticed,
    )
    .join(connections, connections.c.connection_id == sync_runs.c.connection_id)
    .where(connections.c.creditor_id == bindparam("creditor_id"))
    .order_by(sync_runs.c.started_at.desc())
    .limit(bindparam("limit", type_=Integer))
)


async def recent_runs(
    engine: AsyncEngine, creditor_id: uuid.UUID, limit: int
) -> list[dict[str, Any]]:
    """The creditor's latest syncs, newest first (one statement on the driver:
    servicekit ``reads``, ADR 0065)."""
    async with reading(engine) as read:
        rows = await read.fetch(_RECENT_RUNS, {"creditor_id": creditor_id, "limit": limit})
    return [dict(r) for r in rows]
