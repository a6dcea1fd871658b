"""Connections: the row per creditor and ERP, its lease for a sync, its outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from integrations.adapters.orm import connections, sync_runs


@dataclass(frozen=True)
class Connection:
    connection_id: uuid.UUID
    creditor_id: uuid.UUID
    erp: str
    company_id: str
    base_url: str
    credentials: str
    status: str


def _connection(row: object) -> Connection:
    m = row._mapping  # type: ignore[attr-defined]
    return Connection(
        connection_id=m["connection_id"],
        creditor_id=m["creditor_id"],
        erp=m["erp"],
        company_id=m["company_id"],
        base_url=m["base_url"],
        credentials=m["credentials"],
        status=m["status"],
    )


async def of_creditor(session: AsyncSession, creditor_id: uuid.UUID, erp: str) -> Connection | None:
    row = (
        await session.execute(
            select(connections).where(
                connections.c.creditor_id == creditor_id, connections.c.erp == erp
            )
        )
    ).first()
    return None if row is None else _connection(row)


async def get(session: AsyncSession, connection_id: uuid.UUID) -> Connection | None:
    row = (
        await session.execute(
            select(connections).where(connections.c.connection_id == connection_id)
        )
    ).first()
    return None if row is None else _connection(row)


async def add(session: AsyncSession, values: dict[str, object]) -> None:
    await session.execute(insert(connections).values(**values))


async def change(session: AsyncSession, connection_id: uuid.UUID, **values: object) -> None:
    await session.execute(
        update(connections)
        .where(connections.c.connection_id == connection_id)
        .values(**values, updated_at=func.now())
    )


async def lease_due(session: AsyncSession, now: datetime, lease: timedelta) -> Connection | None:
    """The active connection that is due longest, leased to the caller (others skip it)."""
    row = (
        await session.execute(
            select(connections)
            .where(
                connections.c.status == "active",
                connections.c.next_sync_at <= now,
                (connections.c.leased_until.is_(None)) | (connections.c.leased_until < now),
            )
            .order_by(connections.c.next_sync_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).first()
    if row is None:
        return None
    connection = _connection(row)
    await change(session, connection.connection_id, leased_until=now + lease)
    return connection


async def record_run(session: AsyncSession, values: dict[str, object]) -> None:
    await session.execute(insert(sync_runs).values(**values))
