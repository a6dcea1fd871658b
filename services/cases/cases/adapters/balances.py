"""Each case's balance and paid amount as the ledger last stated them (ADR 0055).

The ledger owns the money; the case list needs to show, sort and filter by it at a
million cases, so the cases service keeps the newest ``ledger.case.balance_changed`` per
case on the case row (``balance_ore``, ``paid_ore``, ``balance_changed_at``), written in
one statement per batch of events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class StatedBalance:
    """What the ledger stated about one case at ``at`` (``paid_ore`` ``None``: not said)."""

    case_id: uuid.UUID
    balance_ore: int
    paid_ore: int | None
    at: datetime


_APPLY = text(
    "UPDATE cases SET balance_ore = v.balance, paid_ore = coalesce(v.paid, cases.paid_ore), "
    "balance_changed_at = v.at "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:balances AS bigint[]), CAST(:paid AS bigint[]), "
    "CAST(:ats AS timestamptz[])) AS v(case_id, balance, paid, at) "
    "WHERE cases.id = v.case_id "
    "AND (cases.balance_changed_at IS NULL OR cases.balance_changed_at <= v.at)"
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid)),
    bindparam("balances", type_=ARRAY(BigInteger)),
    bindparam("paid", type_=ARRAY(BigInteger)),
    bindparam("ats", type_=ARRAY(DateTime(timezone=True))),
)
"""Each case takes its newest statement; an older one delivered late changes nothing. A
statement that repeats the balance (a step's event, cause ``step``) is written too, so
that ``balance_changed_at`` always is the newest statement's time (the case's step has
moved ``updated_at`` already)."""


def newest_per_case(stated: Iterable[StatedBalance]) -> list[StatedBalance]:
    """The newest statement of each case, in case id order (one lock order for all)."""
    newest: dict[uuid.UUID, StatedBalance] = {}
    for s in stated:
        kept = newest.get(s.case_id)
        if kept is None or kept.at <= s.at:
            newest[s.case_id] = s
    return [newest[k] for k in sorted(newest)]


async def apply(session: AsyncSession, stated: Iterable[StatedBalance]) -> int:
    """Keep the newest balance of each case; how many case rows changed. A case unknown
    here is skipped (the ledger learns of cases from this service, so it has none)."""
    rows = newest_per_case(stated)
    if not rows:
        return 0
    result = await session.execute(
        _APPLY,
        {
            "ids": [r.case_id for r in rows],
            "balances": [r.balance_ore for r in rows],
            "paid": [r.paid_ore for r in rows],
            "ats": [r.at for r in rows],
        },
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
