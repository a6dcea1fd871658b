"""Recomputing fees by the rules in force now (``docs/money-rules.md``), dry run first.

:func:`review_fees` lists every case whose booked fees differ from what the rules give now
(e.g. cases booked before the fee rates were chosen by the claim's due date, or before the
court fees went back to 2016); it books nothing. :func:`correct_fees` books the
differences of open cases as journal entries (a fee not booked: ``fee_charged``; a fee
booked at another amount: ``fee_corrected`` with the difference; the old entries stay) and
leaves for a case handler what it must not decide alone: a closed or settled case, a fee
the rules now remove, a reduction of a fee already paid.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass

from ledger.domain.case_ledger import CaseLedger
from ledger.domain.fees import FeeCharge, FeeDifference, assess_fees, fee_differences
from ledger.domain.rates import RateBook, RateKind
from ledger.service_layer.books import Books
from ledger.service_layer.events import balance_changed
from ledger.service_layer.policy import LedgerPolicy


@dataclass(frozen=True, slots=True)
class CaseFeeReview:
    case_id: uuid.UUID
    differences: tuple[FeeDifference, ...]
    left: tuple[tuple[str, str], ...] = ()
    """``(fee key, why)`` of the differences left for a case handler (when correcting)."""

    @property
    def delta_ore(self) -> int:
        return sum(d.delta_ore for d in self.differences)


Assessed = tuple[CaseFeeReview, Mapping[str, FeeCharge]]


async def _assess(
    books: Books, ledgers: Mapping[uuid.UUID, CaseLedger], rates: RateBook
) -> list[Assessed]:
    """The cases whose booked fees differ from a fresh assessment, with its charges."""
    ids = sorted(ledgers)
    steps = await books.cases.steps(ids)
    booked = await books.cases.fees_charged(ids)
    agreements = await books.agreements.get_many(lg.facts.creditor_id for lg in ledgers.values())
    found: list[Assessed] = []
    for case_id in ids:
        ledger = ledgers[case_id]
        agreement = agreements[ledger.facts.creditor_id]
        terms = ledger.facts.terms(
            vat_deductible=agreement.vat_deductible,
            standardkompensasjon=agreement.claims_standardkompensasjon,
        )
        assessment = assess_fees(terms, steps[case_id], rates)
        differences = fee_differences(assessment, booked[case_id])
        if differences:
            charges = {c.key: c for c in assessment.charges}
            found.append((CaseFeeReview(case_id, differences), charges))
    return found


async def review_fees(books: Books, *, batch: int = 500) -> AsyncIterator[CaseFeeReview]:
    """The cases whose fees differ, in case id order (read only, ``batch`` cases a time)."""
    rates = await books.rates.book()
    after: uuid.UUID | None = None
    while ids := await books.cases.with_steps(after=after, limit=batch):
        after = ids[-1]
        for review, _ in await _assess(books, await books.cases.load(ids, lock=False), rates):
            yield review


def _why_left(ledger: CaseLedger, difference: FeeDifference, charge: FeeCharge | None) -> str:
    if ledger.facts.closed_on is not None or ledger.facts.settled_on is not None:
        return "the case is closed or settled"
    if charge is None:
        return "the rules now charge no such fee"
    owed = ledger.outstanding().get(charge.component, 0)
    if difference.delta_ore < 0 and owed < -difference.delta_ore:
        return "the fee is already paid"
    return ""


async def correct_fees(
    books: Books, case_ids: Sequence[uuid.UUID], policy: LedgerPolicy
) -> list[CaseFeeReview]:
    """Book the differences of these cases (locked): per case, what differed and what was
    left for a case handler (with why)."""
    ledgers = await books.cases.load(case_ids)
    charged: list[tuple[uuid.UUID, FeeCharge, uuid.UUID]] = []
    corrected: list[tuple[uuid.UUID, FeeCharge, uuid.UUID]] = []
    done: list[CaseFeeReview] = []
    rates = await books.rates.book()
    interest_rates = await books.rates.book(RateKind.FORSINKELSESRENTE)
    for review, charges in await _assess(books, ledgers, rates):
        ledger = ledgers[review.case_id]
        left: list[tuple[str, str]] = []
        booked_on = []
        for difference in review.differences:
            charge = charges.get(difference.key)
            why = _why_left(ledger, difference, charge)
            if charge is None or why:
                left.append((difference.key, why))
                continue
            if difference.booked_ore is None:
                entry = books.journal.add(ledger.charge_fee(charge))
                charged.append((review.case_id, charge, entry.entry_id))
            else:
                entry = books.journal.add(ledger.correct_fee(charge, difference.booked_ore))
                corrected.append((review.case_id, charge, entry.entry_id))
            booked_on.append(charge.effective_date)
        if booked_on:
            books.emit(
                balance_changed(
                    ledger,
                    cause="fee",
                    effective_date=max(booked_on),
                    rates=interest_rates,
                    day_count=policy.day_count,
                )
            )
        done.append(CaseFeeReview(review.case_id, review.differences, tuple(left)))
    await books.cases.add_fees(charged)
    await books.cases.correct_fees(corrected)
    return done
