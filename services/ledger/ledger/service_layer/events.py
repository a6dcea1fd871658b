"""The events the ledger publishes, made from its domain objects."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.ledger import CaseBalanceChanged, CaseSettledInFull, PaymentReceived

from ledger.domain.case_ledger import CaseLedger, PaymentBooking
from ledger.domain.components import COST_COMPONENTS, Component


def balance_changed(ledger: CaseLedger, *, cause: str, effective_date: date) -> CaseBalanceChanged:
    owed = ledger.outstanding()
    return CaseBalanceChanged(
        case_id=ledger.facts.case_id,
        creditor_id=ledger.facts.creditor_id,
        effective_date=effective_date,
        principal_ore=owed[Component.PRINCIPAL],
        interest_ore=owed[Component.INTEREST],
        costs_ore=sum(owed[c] for c in COST_COMPONENTS),
        balance_ore=ledger.balance_ore,
        overpaid_ore=max(ledger.overpaid_ore, 0),
        cause=cause,
        changed_at=datetime.now(UTC),
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
