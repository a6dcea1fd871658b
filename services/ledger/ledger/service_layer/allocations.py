"""Allocation rows (``payment_allocations``): how each payment, reversal and correction
split over a case's components. Every row counts in the creditor's next settlement.

Kinds: ``payment`` (a payment's first split), ``rebooked`` (its split again after a
re-allocation), ``undone`` (a split a re-allocation took back, negated), ``reversal`` (a
payment taken back, negated), ``adjustment`` (interest paid beyond what was owed moved to
the overpaid account, or that credit covering what is owed).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date

from ledger.adapters.payment_store import AllocationRecord
from ledger.domain.case_ledger import CaseLedger, IncomingPayment, PaymentBooking
from ledger.domain.components import Component
from ledger.domain.journal import Account, AccountKind, EntryKind, JournalEntry
from ledger.domain.rates import RateBook
from ledger.service_layer.books import Books
from ledger.service_layer.policy import LedgerPolicy

Row = dict[str, object]


def adjustment(
    ledger: CaseLedger,
    on: date,
    entry: JournalEntry,
    *,
    payment_id: uuid.UUID | None,
    covered: Mapping[Component, int],
    overpaid_ore: int,
) -> Row:
    """An allocation row that no payment made by itself: interest paid beyond what was owed
    moved to the overpaid account, or that credit covering what is owed. It counts in the
    creditor's next settlement like any other line."""
    return {
        "payment_id": payment_id,
        "case_id": ledger.facts.case_id,
        "creditor_id": ledger.facts.creditor_id,
        "value_date": on,
        "kind": "adjustment",
        **{f"{c.value}_ore": covered.get(c, 0) for c in Component},
        "overpaid_ore": overpaid_ore,
        "allocation_order": [],
        "entry_id": entry.entry_id,
    }


def interest_refund(
    ledger: CaseLedger, refund: JournalEntry, amount_ore: int, *, payment_id: uuid.UUID | None
) -> Row:
    return adjustment(
        ledger,
        refund.effective_date,
        refund,
        payment_id=payment_id,
        covered={Component.INTEREST: -amount_ore},
        overpaid_ore=amount_ore,
    )


def negated(allocation: AllocationRecord, entry: JournalEntry, kind: str) -> Row:
    """The row that takes an allocation back (``reversal`` or ``undone``)."""
    return {
        "payment_id": allocation.payment_id,
        "case_id": allocation.case_id,
        "creditor_id": allocation.creditor_id,
        "value_date": allocation.value_date,
        "kind": kind,
        **{f"{c.value}_ore": -allocation.amounts[c] for c in Component},
        "overpaid_ore": -allocation.overpaid_ore,
        "allocation_order": [],
        "entry_id": entry.entry_id,
    }


def book_allocation(
    books: Books,
    ledger: CaseLedger,
    payment: IncomingPayment,
    rates: RateBook,
    order: Sequence[Component],
    policy: LedgerPolicy,
    allocations: list[Row],
    *,
    source: Account | None,
    kind: str,
    natural_key: str | None,
    row_kind: str = "payment",
    metadata: Mapping[str, object] | None = None,
) -> PaymentBooking:
    """Book interest to the payment's value date and its split (journal and rows)."""
    booking = ledger.take_payment(
        payment,
        rates,
        order,
        policy.day_count,
        source=source,
        kind=kind,
        natural_key=natural_key,
        metadata=metadata,
    )
    books.journal.extend(booking.entries)
    for refund in (e for e in booking.entries if e.kind == EntryKind.INTEREST_REFUNDED):
        amount = next(
            -p.amount_ore for p in refund.postings if p.account.kind == AccountKind.CASE_OVERPAID
        )
        allocations.append(interest_refund(ledger, refund, amount, payment_id=payment.payment_id))
    covered = booking.allocation.covered
    allocations.append(
        {
            "payment_id": payment.payment_id,
            "case_id": ledger.facts.case_id,
            "creditor_id": ledger.facts.creditor_id,
            "value_date": payment.value_date,
            "kind": row_kind,
            **{f"{c.value}_ore": covered.get(c, 0) for c in Component},
            "overpaid_ore": booking.allocation.overpaid_ore,
            "allocation_order": [c.value for c in booking.allocation.order],
            "entry_id": booking.entry.entry_id,
        }
    )
    return booking
