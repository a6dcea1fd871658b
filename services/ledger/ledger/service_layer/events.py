"""The events the ledger publishes, made from its domain objects."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from contracts.ledger import (
    CaseBalanceChanged,
    CaseInterest,
    CaseSettledInFull,
    InterestRatePeriod,
    PaymentReceived,
    PaymentReversed,
)

from ledger.domain.case_ledger import CaseLedger, PaymentBooking
from ledger.domain.components import COST_COMPONENTS, Component
from ledger.domain.interest import DayCount, shares_ore
from ledger.domain.rates import MissingRate, RateBook, RateKind, half_year_end


def balance_changed(
    ledger: CaseLedger,
    *,
    cause: str,
    effective_date: date,
    rates: RateBook,
    day_count: DayCount,
) -> CaseBalanceChanged:
    """The case's balance as booked, with the forsinkelsesrente in force on
    ``effective_date`` and the interest through it by rate period (left out when the rate
    table has no confirmed rate for a day it needs)."""
    owed = ledger.outstanding()
    costs = sum(owed[c] for c in COST_COMPONENTS)
    event = CaseBalanceChanged(
        case_id=ledger.facts.case_id,
        creditor_id=ledger.facts.creditor_id,
        effective_date=effective_date,
        principal_ore=owed[Component.PRINCIPAL],
        interest_ore=owed[Component.INTEREST],
        costs_ore=costs,
        balance_ore=ledger.balance_ore,
        overpaid_ore=max(ledger.overpaid_ore, 0),
        cause=cause,
        changed_at=datetime.now(UTC),
        paid_ore=max(ledger.paid_ore, 0),
    )
    try:
        rate = rates.in_force(RateKind.FORSINKELSESRENTE, effective_date)
        accrual, outstanding = ledger.interest_through(rates, effective_date, day_count)
    except MissingRate:
        return event
    stop = ledger.facts.interest_stops
    interest = CaseInterest(
        through=min(accrual.as_of, stop) if stop is not None else accrual.as_of,
        accrued_ore=accrual.amount_ore,
        outstanding_ore=outstanding,
        balance_ore=owed[Component.PRINCIPAL] + costs + outstanding,
        periods=[
            InterestRatePeriod(
                first=p.first,
                last=p.last,
                days=p.days,
                principal_ore=p.principal_ore,
                rate_percent=p.rate.value,
                rate_from=p.rate.effective_from,
                interest_ore=share,
            )
            for p, share in zip(accrual.periods, shares_ore(accrual), strict=True)
        ],
    )
    return event.model_copy(
        update={
            "interest_rate_percent": rate.value,
            "interest_rate_from": rate.effective_from,
            "interest_rate_to": half_year_end(effective_date),
            "interest": interest,
        }
    )


def payment_received(ledger: CaseLedger, booking: PaymentBooking) -> PaymentReceived:
    covered = booking.allocation.covered
    return PaymentReceived(
        payment_id=booking.payment.payment_id,
        case_id=ledger.facts.case_id,
        creditor_id=ledger.facts.creditor_id,
        amount_ore=booking.payment.amount_ore,
        value_date=booking.payment.value_date,
        principal_ore=covered.get(Component.PRINCIPAL, 0),
        interest_ore=covered.get(Component.INTEREST, 0),
        costs_ore=sum(covered.get(c, 0) for c in COST_COMPONENTS),
        overpaid_ore=booking.allocation.overpaid_ore,
        received_at=datetime.now(UTC),
    )


def payment_reversed(
    ledger: CaseLedger, *, payment_id: uuid.UUID, amount_ore: int, value_date: date
) -> PaymentReversed:
    return PaymentReversed(
        payment_id=payment_id,
        case_id=ledger.facts.case_id,
        creditor_id=ledger.facts.creditor_id,
        amount_ore=amount_ore,
        value_date=value_date,
        reversed_at=datetime.now(UTC),
    )


def settled_in_full(
    ledger: CaseLedger, *, settled_on: date, total_paid_ore: int
) -> CaseSettledInFull:
    return CaseSettledInFull(
        case_id=ledger.facts.case_id,
        creditor_id=ledger.facts.creditor_id,
        settled_on=settled_on,
        total_paid_ore=total_paid_ore,
        settled_at=datetime.now(UTC),
    )
