"""The economy of every case on a date, streamed (reports, reconciliation, the benchmark).

Two ordered streams are merged by case id: the cases with their claims, and the postings
on case accounts booked up to the date, summed per account, entry kind and date (one hash
aggregate over the journal instead of one lookup per case). Interest is computed per case
to the date as in :mod:`ledger.views.economy`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncResult

from ledger.domain.components import Component
from ledger.domain.interest import ClaimPrincipal, DayCount, InterestAccrual, accrue
from ledger.domain.rates import MissingRate, RateBook
from ledger.views.economy import fold_booked, lines_of

_CASES = text(
    """
    SELECT c.case_id, c.creditor_id, c.closed_on, c.close_reason,
           array_agg(cl.claim_id ORDER BY cl.due_date, cl.claim_id) AS claim_ids,
           array_agg(coalesce(cl.interest_due_date, cl.due_date)
                     ORDER BY cl.due_date, cl.claim_id) AS due_dates,
           array_agg(cl.principal_ore ORDER BY cl.due_date, cl.claim_id) AS principals,
           array_agg(cl.time_barred_on ORDER BY cl.due_date, cl.claim_id) AS barred
      FROM ledger_cases c JOIN ledger_claims cl ON cl.case_id = c.case_id
     GROUP BY c.case_id
     ORDER BY c.case_id
    """
)

_BOOKED = text(
    """
    SELECT p.holder, p.account_kind,
           CASE WHEN e.kind = 'reversal' THEN coalesce(e.metadata->>'reversed_kind', e.kind)
                ELSE e.kind END AS kind,  -- a reversal counts as what it reverses, negated
           e.effective_date, sum(p.amount_ore) AS total
      FROM postings p JOIN journal_entries e ON e.entry_id = p.entry_id
     WHERE p.account_kind LIKE 'case.%' AND e.effective_date <= :as_of
     GROUP BY 1, 2, 3, 4
     ORDER BY p.holder
    """
)


async def _rows(result: AsyncResult[Any], chunk: int) -> AsyncIterator[Row[Any]]:
    """The rows of a streamed result, fetched ``chunk`` at a time (one driver round trip
    per chunk rather than per row)."""
    async for partition in result.partitions(chunk):
        for row in partition:
            yield row


@dataclass(frozen=True, slots=True)
class CaseBalance:
    case_id: uuid.UUID
    creditor_id: uuid.UUID
    principal_ore: int
    interest_ore: int
    costs_ore: int
    overpaid_ore: int
    rate_missing: bool = False
    """No confirmed forsinkelsesrente for some of its days: interest is left out."""

    @property
    def balance_ore(self) -> int:
        return self.principal_ore + self.interest_ore + self.costs_ore


async def case_balances(
    engine: AsyncEngine,
    rates: RateBook,
    as_of: date,
    *,
    day_count: DayCount,
    chunk: int = 5_000,
) -> AsyncIterator[CaseBalance]:
    """Every case's balance on ``as_of``, in case id order."""
    async with engine.connect() as cases_conn, engine.connect() as booked_conn:
        cases = await cases_conn.stream(_CASES.execution_options(yield_per=chunk))
        booked = await booked_conn.stream(
            _BOOKED.execution_options(yield_per=chunk), {"as_of": as_of}
        )
        iterator = aiter(_rows(booked, chunk))
        pending = await anext(iterator, None)
        async for case in _rows(cases, chunk):
            rows = []
            while pending is not None and pending.holder < case.case_id:
                pending = await anext(iterator, None)  # postings of a case without claims
            while pending is not None and pending.holder == case.case_id:
                rows.append(tuple(pending))
                pending = await anext(iterator, None)
            folded = fold_booked(rows).get(case.case_id)
            if folded is None:  # nothing booked by the date
                continue
            claims = [
                ClaimPrincipal(claim_id, due, principal, barred)
                for claim_id, due, principal, barred in zip(
                    case.claim_ids, case.due_dates, case.principals, case.barred, strict=True
                )
            ]
            stop = case.closed_on if case.closed_on and case.close_reason != "paid" else None
            movements = sorted(folded.movements, key=lambda m: m.value_date)
            try:
                accrual = accrue(
                    claims, movements, rates, as_of, stop=stop, day_count=day_count, detail=False
                )
                rate_missing = False
            except MissingRate:  # due before any confirmed rate: interest cannot be known
                accrual = InterestAccrual(as_of, Fraction(0), ())
                rate_missing = True
            owed = {line.component: line.outstanding_ore for line in lines_of(folded, accrual)}
            yield CaseBalance(
                case_id=case.case_id,
                creditor_id=case.creditor_id,
                principal_ore=owed[Component.PRINCIPAL],
                interest_ore=owed[Component.INTEREST],
                costs_ore=owed[Component.REMINDER_FEES]
                + owed[Component.COLLECTION_FEES]
                + owed[Component.COURT_FEES],
                overpaid_ore=folded.overpaid,
                rate_missing=rate_missing,
            )
