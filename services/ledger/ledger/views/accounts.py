"""Creditor accounts (the holders of client funds)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.adapters.orm import credit_report_charges as charges_table
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


async def credit_report_charges(
    session_factory: async_sessionmaker[AsyncSession], creditor_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The credit reports a creditor bought, oldest first, and the settlement that deducted
    each (``None``: deducted at the next one)."""
    async with session_factory() as session:
        rows = await session.execute(
            select(
                charges_table.c.charge_id,
                charges_table.c.amount_ore,
                charges_table.c.purchased_on,
                charges_table.c.settlement_id,
            )
            .where(charges_table.c.creditor_id == creditor_id)
            .order_by(charges_table.c.purchased_on, charges_table.c.recorded_at)
        )
        return [dict(r) for r in rows.mappings()]
