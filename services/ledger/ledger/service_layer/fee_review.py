"""The dry run of recomputing fees: every case whose booked fees differ from what the
rules in force now give (``docs/money-rules.md``), e.g. cases booked before the fee rates
were chosen by the claim's due date or before the court fees went back to 2016.

It books nothing. Booking the differences as journal entries is not written yet (ADR 0035).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from ledger.domain.fees import FeeDifference, assess_fees, fee_differences
from ledger.service_layer.books import Books


@dataclass(frozen=True, slots=True)
class CaseFeeReview:
    case_id: uuid.UUID
    differences: tuple[FeeDifference, ...]

    @property
    def delta_ore(self) -> int:
        return sum(d.delta_ore for d in self.differences)


async def review_fees(books: Books, *, batch: int = 500) -> AsyncIterator[CaseFeeReview]:
    """The cases whose fees differ, in case id order (read only, ``batch`` cases a time)."""
    rates = await books.rates.book()
    after: uuid.UUID | None = None
    while ids := await books.cases.with_steps(after=after, limit=batch):
        after = ids[-1]
        ledgers = await books.cases.load(ids, lock=False)
        steps = await books.cases.steps(ids)
        booked = await books.cases.fees_charged(ids)
        agreements = await books.agreements.get_many(
            lg.facts.creditor_id for lg in ledgers.values()
        )
        for case_id in ids:
            ledger = ledgers[case_id]
            vat = agreements[ledger.facts.creditor_id].vat_deductible
            assessment = assess_fees(ledger.facts.terms(vat_deductible=vat), steps[case_id], rates)
            differences = fee_differences(assessment, booked[case_id])
            if differences:
                yield CaseFeeReview(case_id, differences)
