"""Reading a creditor's endpoints inside a unit of work (always by organisation)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from webhooks.adapters.orm import endpoints


class EndpointRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(
        self, organisation_id: uuid.UUID, endpoint_id: uuid.UUID, *, lock: bool = False
    ) -> dict[str, Any] | None:
        e = endpoints
        query = select(e).where(e.c.id == endpoint_id, e.c.organisation_id == organisation_id)
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).mappings().first()
        return dict(row) if row else None

    async def count(self, organisation_id: uuid.UUID) -> int:
        e = endpoints
        query = select(func.count()).select_from(e).where(e.c.organisation_id == organisation_id)
        return int(await self.session.scalar(query) or 0)
