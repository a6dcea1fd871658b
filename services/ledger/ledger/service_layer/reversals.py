"""Payments taken back: by the bank (a reversal in a bank file) or by a case handler (a
correction). Either way the payment's allocation entry is reversed (a linked reversal) and
the case owes again what it covered, from the payment's value date; what was booked on the
case after it is booked again in value-date order (:mod:`.reallocation`)."""

from __future__ import annotations

import uuid

from ledger.adapters.journal import entry_by_id
from ledger.adapters.payment_store import PaymentRecord
from ledger.domain.case_ledger import CaseLedger
from ledger.domain.errors import PaymentNotFound, WrongPaymentState
from ledger.domain.journal import Account, AccountKind, JournalEntry, Posting, reversal_of
from ledger.domain.rates import RateBook, RateKind
from ledger.service_layer.allocations import Row, negated
from ledger.service_layer.books import Books
from ledger.service_layer.case_changes import Changes, finish
from ledger.service_layer.events import payment_reversed
from ledger.service_layer.policy import LedgerPolicy
from ledger.service_layer.reallocation import (
    book_interest_again,
    flush_pending,
    rebook,
    replay_order,
    rewind,
)


async def take_back(
    books: Books,
    ledger: CaseLedger,
    original: PaymentRecord,
    from_unmatched: PaymentRecord | None,
    allocations: list[Row],
    changes: Changes,
    rates: RateBook,
    policy: LedgerPolicy,
    *,
    reason: str = "payment taken back by the bank",
) -> JournalEntry:
    """Reverse a payment's allocation (the bank took it back, or a correction), then book
    again in value-date order what was booked on the case after it."""
    await flush_pending(books, allocations, ledger.facts.case_id)
    allocation = await books.payments.allocation_of(original.payment_id)
    if allocation is None:
        raise WrongPaymentState("the payment was never allocated to a case")
    booked = await entry_by_id(books.session, allocation.entry_id)
    assert booked is not None
    reversal = reversal_of(
        booked,
        effective_date=allocation.value_date,
        reason=reason,
        natural_key=f"reversal:{original.payment_id}",
    )
    if from_unmatched is not None:  # the bank's debit is already booked against suspense
        reversal = _replace_leg(reversal, AccountKind.CLIENT_FUNDS, AccountKind.UNMATCHED)
    books.journal.add(reversal)
    ledger.take_back(reversal)
    allocations.append(negated(allocation, reversal, "reversal"))
    await books.payments.set_status(original.payment_id, "reversed")
    books.emit(  # the cases service: the payment no longer interrupts limitation
        payment_reversed(
            ledger,
            payment_id=original.payment_id,
            amount_ore=original.amount_ore,
            value_date=allocation.value_date,
        )
    )
    if ledger.facts.interest_stops is None:  # later bookings, or ones of its date after it
        rewound = await rewind(
            books, ledger, allocation.value_date, allocations, after_entry=allocation.entry_id
        )
        for undone in replay_order(rewound.undone):
            rebook(books, ledger, undone, rates, policy, allocations)
        book_interest_again(books, ledger, rewound, rates, policy)
    changes.touch(ledger, "reversal", allocation.value_date)
    return reversal


def _replace_leg(entry: JournalEntry, kind: str, replacement: str) -> JournalEntry:
    postings = tuple(
        Posting(Account(replacement, p.account.holder), p.amount_ore, p.currency)
        if p.account.kind == kind
        else p
        for p in entry.postings
    )
    return JournalEntry(
        entry_id=entry.entry_id,
        kind=entry.kind,
        effective_date=entry.effective_date,
        postings=postings,
        case_id=entry.case_id,
        creditor_id=entry.creditor_id,
        natural_key=entry.natural_key,
        reverses=entry.reverses,
        metadata=entry.metadata,
    )


async def reverse_payment(
    books: Books, payment_id: uuid.UUID, *, reason: str, policy: LedgerPolicy
) -> JournalEntry:
    """Take back an allocated payment by hand (a correction: a linked reversal)."""
    original = await books.payments.get(payment_id, lock=True)
    if original is None or original.case_id is None:
        raise PaymentNotFound("No such allocated payment.")
    if original.status != "allocated":
        raise WrongPaymentState("Only an allocated payment can be taken back.")
    ledger = (await books.cases.load([original.case_id]))[original.case_id]
    changes = Changes()
    allocations: list[Row] = []
    rates = await books.rates.book(RateKind.FORSINKELSESRENTE)
    reversal = await take_back(
        books, ledger, original, None, allocations, changes, rates, policy, reason=reason
    )
    await books.payments.add_allocations(allocations)
    await finish(books, changes, policy)
    return reversal
