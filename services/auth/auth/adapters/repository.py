"""Organisation repository over the unit of work's session."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.adapters.orm import organisations
from auth.domain.model import Organisation, OrganisationKind


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

    async def get(self, organisation_id: uuid.UUID) -> Organisation | None:
        return await self._one(organisations.c.id == organisation_id)

    async def by_number(self, organisation_number: str) -> Organisation | None:
        return await self._one(organisations.c.organisation_number == organisation_number)

    async def _one(self, condition: ColumnElement[bool]) -> Organisation | None:
        row = (await self.session.execute(select(organisations).where(condition))).first()
        if row is None:
            return None
        return Organisation(
            id=row.id,
            name=row.name,
            organisation_number=row.organisation_number,
            kind=OrganisationKind(row.kind),
            active=row.active,
            created_at=row.created_at,
        )
