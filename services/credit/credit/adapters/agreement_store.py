"""Creditor agreements (allowed products and purposes), over one session."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credit.adapters.orm import creditor_agreements
from credit.domain.agreements import Agreement


class AgreementStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def row(self, creditor_id: uuid.UUID) -> dict[str, Any] | None:
        found = (
            (
                await self.session.execute(
                    select(creditor_agreements).where(
                        creditor_agreements.c.creditor_id == creditor_id
                    )
                )
            )
            .mappings()
            .first()
        )
        return dict(found) if found else None

    async def get(self, creditor_id: uuid.UUID) -> Agreement:
        """The creditor's agreement; the defaults (everything) when none is stored."""
        found = await self.row(creditor_id)
        if found is None:
            return Agreement(creditor_id)
        products, purposes = found["products"], found["purposes"]
        return Agreement(
            creditor_id,
            None if products is None else frozenset(products),
            None if purposes is None else frozenset(purposes),
        )

    async def put(self, agreement: Agreement, by: uuid.UUID, at: datetime) -> None:
        values = {
            "products": None if agreement.products is None else sorted(agreement.products),
            "purposes": None if agreement.purposes is None else sorted(agreement.purposes),
            "updated_at": at,
            "updated_by": by,
        }
        stmt = insert(creditor_agreements).values(creditor_id=agreement.creditor_id, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[creditor_agreements.c.creditor_id], set_=values
            )
        )
