"""Read side of the credit service."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from credit.adapters.orm import creditors


async def creditor(
    session_factory: async_sessionmaker[AsyncSession], organisation_id: uuid.UUID
) -> dict[str, Any] | None:
    async with session_factory() as session:
        row = (
            (
                await session.execute(
                    select(creditors).where(creditors.c.organisation_id == organisation_id)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None
