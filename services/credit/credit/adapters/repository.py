"""Creditor repository over a session (the unit of work's or the consumer's)."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit.adapters.orm import creditors
from credit.domain.model import Creditor


class CreditorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_registration(self, creditor: Creditor) -> None:
        """Insert the creditor, or refresh its registered name if known.

        ``active`` is left as it is on a known creditor, so that a registration applied
        again (a replay) never reactivates a deactivated creditor.
        """
        stmt = insert(creditors).values(
            organisation_id=creditor.organisation_id,
            name=creditor.name,
            active=creditor.active,
            organisation_number=creditor.organisation_number,
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[creditors.c.organisation_id],
                set_={
                    "name": stmt.excluded.name,
                    "organisation_number": stmt.excluded.organisation_number,
                },
            )
        )

    async def get(self, organisation_id: uuid.UUID) -> Creditor | None:
        row = (
            (
                await self.session.execute(
                    select(creditors).where(creditors.c.organisation_id == organisation_id)
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else Creditor(**row)

    async def deactivate(self, organisation_id: uuid.UUID) -> bool:
        """Mark the creditor inactive; False when no such creditor is known."""
        result = await self.session.execute(
            update(creditors)
            .where(creditors.c.organisation_id == organisation_id)
            .values(active=False)
            .returning(creditors.c.organisation_id)
        )
        return result.first() is not None
