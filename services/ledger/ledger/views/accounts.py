"""Creditor accounts (the holders of client funds)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.adapters.orm import creditor_accounts


async def creditor_account(
    session_factory: async_sessionmaker[AsyncSession], organisation_id: uuid.UUID
) -> dict[str, Any] | None:
    async with session_factory() as session:
        row = (
            (
                await session.execute(
                    select(creditor_accounts).where(
                        creditor_accounts.c.organisation_id == organisation_id
                    )
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None
