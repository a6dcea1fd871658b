"""Payments taken back: by the bank (a reversal in a bank file) or by a case handler (a
correction). Either way the payment's allocation entry is reversed (a linked reversal) and
the case owes again what it covered, from the payment's value date."""

from __future__ import annotations

import uuid

from ledger.adapters.journal import entry_by_id
from ledger.adapters.payment_store import PaymentRecord
from ledger.domain.case_ledger import CaseLedger
from ledger.domain.components import Component
from ledger.domain.errors import PaymentNotFound, WrongPaymentState
from ledger.domain.journal import Account, AccountKind, JournalEntry, Posting, reversal_of
from ledger.service_layer.books import Books
from ledger.service_layer.case_changes import Changes, finish
from ledger.service_layer.policy import LedgerPolicy


async def take_back(
    books: Books,
    ledger: CaseLedger,
    original: PaymentRecord,
    from_unmatched: PaymentRecord | None,
    allocations: list[dict[str, object]],
    changes: Changes,
    *,
    reason: str = "payment taken back by the bank",
) -> JournalEntry:
    """Reverse a payment's allocation (the bank took it back, or a correction)."""
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
    principal = allocation.amounts[Component.PRINCIPAL]
    ledger.take_back(reversal, allocation.value_date, original.amount_ore, principal)
    allocations.append(
        {
            "payment_id": original.payment_id,
            "case_id": allocation.case_id,
            "creditor_id": allocation.creditor_id,
            "value_date": allocation.value_date,
            "kind": "reversal",
            **{f"{c.value}_ore": -allocation.amounts[c] for c in Component},
            "overpaid_ore": -allocation.overpaid_ore,
            "allocation_order": [],
            "entry_id": reversal.entry_id,
        }
    )
    await books.payments.set_status(original.payment_id, "reversed")
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
    allocations: list[dict[str, object]] = []
    reversal = await take_back(books, ledger, original, None, allocations, changes, reason=reason)
    await books.payments.add_allocations(allocations)
    await finish(books, changes, policy)
    return reversal
