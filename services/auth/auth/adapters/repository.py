"""Organisation repository over the unit of work's session."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.adapters.orm import organisations
from auth.domain.model import Organisation


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, organisation: Organisation) -> None:
        await self.session.execute(
            insert(organisations).values(
                id=organisation.id,
                name=organisation.name,
                organisation_number=organisation.organisation_number,
                kind=organisation.kind.value,
                active=organisation.active,
                created_at=organisation.created_at,
            )
        )

    async def exists_with_number(self, organisation_number: str) -> bool:
        found = await self.session.scalar(
            select(organisations.c.id).where(
                organisations.c.organisation_number == organisation_number
            )
        )
        return found is not None
