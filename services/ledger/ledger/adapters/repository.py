"""Creditor account repository over a session (the unit of work's or the consumer's)."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.orm import creditor_accounts
from ledger.domain.model import CreditorAccount


class CreditorAccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_if_absent(self, account: CreditorAccount) -> bool:
        """Open the account; False (and nothing changed) when it is already open.

        A known account keeps its opening time and its ``active`` flag, so that a
        registration applied again (a replay) never reactivates a deactivated creditor.
        """
        result = await self.session.execute(
            insert(creditor_accounts)
            .values(
                organisation_id=account.organisation_id,
                opened_at=account.opened_at,
                active=account.active,
            )
            .on_conflict_do_nothing(index_elements=[creditor_accounts.c.organisation_id])
            .returning(creditor_accounts.c.organisation_id)
        )
        return result.first() is not None

    async def deactivate(self, organisation_id: uuid.UUID) -> bool:
        """Mark the account inactive; False when no such account exists."""
        result = await self.session.execute(
            update(creditor_accounts)
            .where(creditor_accounts.c.organisation_id == organisation_id)
            .values(active=False)
            .returning(creditor_accounts.c.organisation_id)
        )
        return result.first() is not None
