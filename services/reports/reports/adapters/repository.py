"""Organisation read-model repository over a session (the unit of work's or the consumer's)."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.orm import organisations
from reports.domain.model import Organisation


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_registration(self, organisation: Organisation) -> None:
        """Insert the organisation, or refresh its registered name, number and kind.

        ``active`` is left as it is on a known organisation, so that a registration
        applied again (a replay) never reactivates a deactivated one.
        """
        stmt = insert(organisations).values(
            organisation_id=organisation.organisation_id,
            name=organisation.name,
            organisation_number=organisation.organisation_number,
            kind=organisation.kind,
            active=organisation.active,
            registered_at=organisation.registered_at,
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[organisations.c.organisation_id],
                set_={
                    "name": stmt.excluded.name,
                    "organisation_number": stmt.excluded.organisation_number,
                    "kind": stmt.excluded.kind,
                },
            )
        )

    async def deactivate(self, organisation_id: uuid.UUID) -> bool:
        """Mark the organisation inactive; False when it is not known."""
        result = await self.session.execute(
            update(organisations)
            .where(organisations.c.organisation_id == organisation_id)
            .values(active=False)
            .returning(organisations.c.organisation_id)
        )
        return result.first() is not None
