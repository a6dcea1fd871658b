"""Recomputing the cases a confirmed or corrected rate row moves (issue 13 point 5; ADR 0057).

Until an administrator confirms a half-year's forsinkelsesrente (or a new inkassosats, a
rettsgebyr …), the ledger computes with the last confirmed figure and marks what rests on
it as provisional. Once the row is confirmed, or corrected by a new confirmed version, the
money already booked with the carried figure is recomputed here, by journal entries only:

- **fees**: every fee of the case assessed again with the rates in force now; a fee never
  booked is charged, a fee booked at another amount gets a ``fee_corrected`` entry with the
  difference (:func:`ledger.service_layer.fee_review.correct_fees`);
- **interest and payments**: the case's payments are booked again in value-date order with
  the rates in force now (:func:`ledger.service_layer.reallocation.restate_case`: linked
  reversals of the later allocations and interest, then new entries); a case without
  payments has its interest booked again to the date it was booked to (the difference).

What moved is reported per case and component. A dry run does all of it in a transaction
that is rolled back; ``apply`` commits it, case by case. A closed or settled case is not
touched (a case handler decides), as with ``fee-differences`` and ``restate-cases``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from ledger.domain.components import Component
from ledger.domain.fees import FeeDifference
from ledger.domain.rates import RateKind, RateRow
from ledger.service_layer.books import Books
from ledger.service_layer.fee_review import correct_fees
from ledger.service_layer.policy import LedgerPolicy
from ledger.service_layer.reallocation import restate_case

_WITH_INTEREST_FROM = text(
    """
    SELECT case_id FROM ledger_cases
     WHERE closed_on IS NULL AND interest_posted_to >= :effective_from
     ORDER BY case_id
    """
)
"""Open cases with interest booked over days the row covers."""

_WITH_STEPS = text(
    """
    SELECT DISTINCT c.case_id FROM ledger_cases c JOIN case_steps s ON s.case_id = c.case_id
     WHERE c.closed_on IS NULL AND c.settled_on IS NULL
     ORDER BY c.case_id
    """
)
"""Open cases with workflow steps (a fee figure may be chosen by the claim's due date, so
every step may rest on it)."""


@dataclass(frozen=True, slots=True)
class CaseRecompute:
    """What a rate row moved on one case."""

    case_id: uuid.UUID
    owed_before: dict[Component, int]
    owed_after: dict[Component, int]
    overpaid_before: int
    overpaid_after: int
    fees: tuple[FeeDifference, ...] = ()
    left: tuple[tuple[str, str], ...] = ()
    """``(fee key, why)`` of fee differences left for a case handler."""

    @property
    def changed(self) -> bool:
        return (self.owed_before, self.overpaid_before) != (
            self.owed_after,
            self.overpaid_after,
        ) or bool(self.left)

    def moved(self) -> dict[Component, int]:
        """The change of what is owed, by component (only those that moved)."""
        return {
            c: self.owed_after.get(c, 0) - self.owed_before.get(c, 0)
            for c in Component
            if self.owed_after.get(c, 0) != self.owed_before.get(c, 0)
        }


async def affected_cases(books: Books, row: RateRow) -> list[uuid.UUID]:
    """The open cases whose booked money may rest on ``row``'s kind from its date on."""
    if row.kind == RateKind.FORSINKELSESRENTE:
        query, params = _WITH_INTEREST_FROM, {"effective_from": row.effective_from}
    else:
        query, params = _WITH_STEPS, {}
    return list((await books.session.execute(query, params)).scalars())


async def recompute_case(
    books: Books, case_id: uuid.UUID, policy: LedgerPolicy
) -> CaseRecompute | None:
    """Book on one (open) case what the rates in force now change; None when the case is
    not open. The caller commits (apply) or rolls back (dry run)."""
    before = (await books.cases.load([case_id])).get(case_id)
    if before is None or before.facts.closed_on is not None:
        return None
    owed_before, overpaid_before = before.outstanding(), before.overpaid_ore
    reviews = await correct_fees(books, [case_id], policy)
    await books.journal.flush()  # what follows reads what is booked
    interest_rates = await books.rates.book(RateKind.FORSINKELSESRENTE)
    restated = await restate_case(books, case_id, interest_rates, policy)
    if restated is None:
        ledger = (await books.cases.load([case_id]))[case_id]
        to: date | None = ledger.interest_booked_to
        if to is not None and ledger.facts.interest_stops is None:
            booking = ledger.book_interest(interest_rates, to, policy.day_count)
            books.journal.extend(booking.entries)
            await books.cases.save_state([ledger])
    await books.journal.flush()  # the entries are read back below
    after = (await books.cases.load([case_id]))[case_id]
    review = reviews[0] if reviews else None
    return CaseRecompute(
        case_id=case_id,
        owed_before=owed_before,
        owed_after=after.outstanding(),
        overpaid_before=overpaid_before,
        overpaid_after=after.overpaid_ore,
        fees=review.differences if review else (),
        left=review.left if review else (),
    )
