"""Registration batches: opened per submission, counted as cases land, then completed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters.orm import batches, creditors
from cases.domain.batches import Batch


async def creditor_state(session: AsyncSession, creditor_id: uuid.UUID) -> bool | None:
    """``True`` if the creditor is active, ``False`` if deactivated, ``None`` if unknown."""
    row = (
        await session.execute(
            select(creditors.c.active).where(creditors.c.organisation_id == creditor_id)
        )
    ).first()
    return None if row is None else bool(row.active)


async def add(session: AsyncSession, batch: Batch) -> None:
    await session.execute(
        insert(batches).values(
            id=batch.batch_id,
            batch_number=batch.batch_number,
            creditor_id=batch.creditor_id,
            channel=batch.channel,
            created_by=batch.created_by,
            created_at=batch.created_at,
        )
    )


async def get(session: AsyncSession, batch_id: uuid.UUID, *, lock: bool = False) -> Batch | None:
    query = select(batches).where(batches.c.id == batch_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).mappings().first()
    if row is None:
        return None
    return Batch(
        batch_id=row["id"],
        batch_number=row["batch_number"],
        creditor_id=row["creditor_id"],
        channel=row["channel"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        status=row["status"],
        case_count=row["case_count"],
        claim_count=row["claim_count"],
        principal_total_ore=row["principal_total_ore"],
        rejected_count=row["rejected_count"],
        registered_at=row["registered_at"],
    )


async def count(
    session: AsyncSession, batch_id: uuid.UUID, *, cases: int, claims: int, principal_ore: int
) -> None:
    """Add registered cases to the batch's totals."""
    await session.execute(
        update(batches)
        .where(batches.c.id == batch_id)
        .values(
            case_count=batches.c.case_count + cases,
            claim_count=batches.c.claim_count + claims,
            principal_total_ore=batches.c.principal_total_ore + principal_ore,
        )
    )


async def complete(
    session: AsyncSession, batch_id: uuid.UUID, *, rejected: int, at: datetime
) -> None:
    await session.execute(
        update(batches)
        .where(batches.c.id == batch_id)
        .values(status="registered", rejected_count=rejected, registered_at=at)
    )
