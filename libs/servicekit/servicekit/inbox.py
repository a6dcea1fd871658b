"""Idempotent consumer: ``(message_id, handler)`` recorded with the handler's effects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import cache

from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TextualSelect


def inbox_table(metadata: MetaData) -> Table:
    """Declare the ``inbox`` table on a service's metadata (Alembic migrates it)."""
    return Table(
        "inbox",
        metadata,
        Column("message_id", Uuid, primary_key=True),
        Column("handler", String(200), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@cache
def _claim_statement(table: Table) -> TextualSelect:
    return (
        text(
            f"INSERT INTO {table.name} (message_id, handler) "
            "SELECT unnest(:ids), :handler ON CONFLICT DO NOTHING RETURNING message_id"
        )
        .bindparams(bindparam("ids", type_=ARRAY(Uuid)), bindparam("handler", type_=String()))
        .columns(message_id=Uuid)
    )


async def claim(
    session: AsyncSession, table: Table, handler: str, message_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Record the messages for ``handler``; return those not seen before.

    Runs in the caller's transaction: if the effects roll back, so does the claim. One
    fixed statement whatever the batch size (no per-size compilation). The ids are claimed
    in sorted order, so competing consumers that hold overlapping batches (a redelivery
    while the first copy is still being applied) wait on each other instead of deadlocking.
    """
    if not message_ids:
        return set()
    result = await session.execute(
        _claim_statement(table), {"ids": sorted(set(message_ids)), "handler": handler}
    )
    return set(result.scalars())
