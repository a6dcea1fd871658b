"""The unmatched queue: a case handler's decision on a payment no case could take."""

from __future__ import annotations

import uuid
from dataclasses import replace

from ledger.domain.components import Component
from ledger.domain.errors import PaymentNotFound, UnmatchedAlreadyResolved, WrongPaymentState
from ledger.domain.ids import new_id
from ledger.domain.journal import Account, AccountKind, EntryBuilder, EntryKind
from ledger.domain.rates import RateKind
from ledger.service_layer.allocations import Row
from ledger.service_layer.books import Books
from ledger.service_layer.case_changes import Changes, finish
from ledger.service_layer.payments import PaymentSummary, allocate_payment
from ledger.service_layer.policy import LedgerPolicy
from ledger.service_layer.reversals import take_back


async def resolve_unmatched(
    books: Books,
    payment_id: uuid.UUID,
    *,
    action: str,
    case_id: uuid.UUID | None,
    reverses_payment_id: uuid.UUID | None,
    designation: tuple[Component, ...],
    by: uuid.UUID,
    policy: LedgerPolicy,
) -> PaymentSummary:
    """A case handler's decision on a queued payment: ``allocate`` it to a case,
    ``refund`` it to the payer, or (a bank reversal) ``reverse`` the payment it took back."""
    item = await books.payments.unmatched(payment_id, lock=True)
    record = await books.payments.get(payment_id, lock=True)
    if item is None or record is None:
        raise PaymentNotFound("No such unmatched payment.")
    if item.status != "open":
        raise UnmatchedAlreadyResolved("This payment has already been resolved.")
    summary = PaymentSummary(received=1, total_ore=record.amount_ore, payment_ids=[payment_id])
    changes = Changes()
    allocations: list[Row] = []
    if action == "allocate":
        if record.amount_ore <= 0 or case_id is None:
            raise WrongPaymentState("Only money received can be matched to a case.")
        ledgers = await books.cases.load([case_id])
        if case_id not in ledgers:
            raise PaymentNotFound("No such case.")
        ledger = ledgers[case_id]
        order = (await books.agreements.get(ledger.facts.creditor_id)).order
        matched = replace(record, designation=tuple(c.value for c in designation))
        rates = await books.rates.book(RateKind.FORSINKELSESRENTE)
        await allocate_payment(
            books,
            ledger,
            matched,
            rates,
            order,
            policy,
            allocations,
            changes,
            summary,
            source=Account(AccountKind.UNMATCHED),
            kind=EntryKind.UNMATCHED_RESOLVED,
            natural_key=f"resolved:{payment_id}",
        )
        await books.payments.set_status(payment_id, "allocated", case_id=case_id)
    elif action == "refund":
        if record.amount_ore <= 0:
            raise WrongPaymentState("A bank reversal cannot be refunded.")
        books.journal.add(
            EntryBuilder(record.currency)
            .debit(Account(AccountKind.UNMATCHED), record.amount_ore)
            .credit(Account(AccountKind.REFUNDS_PAYABLE), record.amount_ore)
            .build(
                entry_id=new_id(),
                kind=EntryKind.UNMATCHED_REFUNDED,
                effective_date=record.value_date,
                natural_key=f"refund:{payment_id}",
                metadata={"payment_id": str(payment_id)},
            )
        )
        await books.payments.set_status(payment_id, "refunded")
    elif action == "reverse":
        if record.amount_ore >= 0 or reverses_payment_id is None:
            raise WrongPaymentState("Only a bank reversal takes a payment back.")
        original = await books.payments.get(reverses_payment_id, lock=True)
        if original is None or original.case_id is None:
            raise PaymentNotFound("No such allocated payment.")
        if original.status != "allocated" or original.amount_ore != -record.amount_ore:
            raise WrongPaymentState(
                "The payment to take back must be allocated and of the reversed amount."
            )
        ledger = (await books.cases.load([original.case_id]))[original.case_id]
        rates = await books.rates.book(RateKind.FORSINKELSESRENTE)
        await take_back(books, ledger, original, record, allocations, changes, rates, policy)
        await books.payments.set_status(payment_id, "reversal", case_id=original.case_id)
        summary.reversed = 1
    else:
        raise WrongPaymentState(f"unknown action {action!r}")
    await books.payments.resolve(payment_id, resolution=action, case_id=case_id, by=by)
    await books.payments.add_allocations(allocations)
    await finish(books, changes, policy)
    return summary
