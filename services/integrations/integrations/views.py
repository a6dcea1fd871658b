"""Read side: a creditor's connection, its invoices that need a look, its recent syncs."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def recent_runs(
    session: AsyncSession, creditor_id: uuid.UUID, limit: int
) -> list[dict[str, Any]]:
    r, c = sync_runs.c, connections.c
    rows = await session.execute(
        select(
            r.started_at,
            r.finished_at,
            r.outcome,
            r.invoices_read,
            r.handed_over,
            r.changed,
            r.payments_noticed,
        )
        .join(connections, c.connection_id == r.connection_id)
        .where(c.creditor_id == creditor_id)
        .order_by(r.started_at.desc())
        .limit(limit)
    )
    return [dict(x._mapping) for x in rows]
