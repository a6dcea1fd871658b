"""Account balances as of a date, and the trial balance (it sums to zero)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def trial_balance(session: AsyncSession, as_of: date) -> list[dict[str, Any]]:
    """The balance of every kind of account (summed over holders), per currency."""
    rows = await session.execute(
        text(
            "SELECT p.account_kind, p.currency, sum(p.amount_ore) AS balance_ore,"
            " count(DISTINCT p.holder) AS holders"
            " FROM postings p JOIN journal_entries e ON e.entry_id = p.entry_id"
            " WHERE e.effective_date <= :as_of"
            " GROUP BY p.account_kind, p.currency ORDER BY p.account_kind, p.currency"
        ),
        {"as_of": as_of},
    )
    return [dict(r) for r in rows.mappings()]


async def holder_balances(
    session: AsyncSession, holder: uuid.UUID | None, as_of: date
) -> list[dict[str, Any]]:
    """The accounts of one case or creditor (or the agency's: ``holder`` None) on a date."""
    rows = await session.execute(
        text(
            "SELECT p.account_kind, p.currency, sum(p.amount_ore) AS balance_ore"
            " FROM postings p JOIN journal_entries e ON e.entry_id = p.entry_id"
            " WHERE e.effective_date <= :as_of AND p.holder IS NOT DISTINCT FROM :holder"
            " GROUP BY p.account_kind, p.currency ORDER BY p.account_kind"
        ),
        {"as_of": as_of, "holder": holder},
    )
    return [dict(r) for r in rows.mappings()]
