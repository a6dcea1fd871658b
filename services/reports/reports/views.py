"""Read side of the reports service."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports.adapters.orm import organisations


async def organisation(
    session_factory: async_sessionmaker[AsyncSession], organisation_id: uuid.UUID
) -> dict[str, Any] | None:
    async with session_factory() as session:
        row = (
            (
                await session.execute(
                    select(organisations).where(organisations.c.organisation_id == organisation_id)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None
