"""Idempotent consumer: ``(message_id, handler)`` recorded with the handler's effects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def inbox_table(metadata: MetaData) -> Table:
    """Declare the ``inbox`` table on a service's metadata (Alembic migrates it)."""
    return Table(
        "inbox",
        metadata,
        Column("message_id", Uuid, primary_key=True),
        Column("handler", String(200), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def claim(
    session: AsyncSession, table: Table, handler: str, message_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Record the messages for ``handler``; return those not seen before.

    Runs in the caller's transaction: if the effects roll back, so does the claim.
    """
    if not message_ids:
        return set()
    stmt = (
        insert(table)
        .values([{"message_id": m, "handler": handler} for m in dict.fromkeys(message_ids)])
        .on_conflict_do_nothing()
        .returning(table.c.message_id)
    )
    result = await session.execute(stmt)
    return set(result.scalars())
