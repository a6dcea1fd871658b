"""Incoming payments: matched to cases by KID, allocated and booked; the rest queued.

- A payment whose KID names exactly one case is allocated to it: interest is booked up to
  the value date, then the payment covers what is owed in the creditor's order (or the
  debtor's designation first); what is left is an overpayment, refundable.
- Payments are booked in value-date order: a batch's in that order, and one whose value
  date is before what its case already has booked re-allocates the case from that date
  (:mod:`ledger.service_layer.reallocation`, ADR 13).
- A payment without a known KID, or whose KID names several cases, is booked into the
  unmatched account and queued for a case handler (match it to a case, or refund it).
- A bank reversal (a negative amount) takes back the one payment it matches (same KID and
  amount); if that is not clear, it is queued too.
- The bank's transaction id makes every payment idempotent: the same transaction again
  (the same file, or an overlapping one) changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from ledger.adapters.payment_store import PaymentRecord
from ledger.domain.case_ledger import CaseLedger, IncomingPayment
from ledger.domain.components import Component
from ledger.domain.errors import PaymentNotFound
from ledger.domain.ids import new_id
from ledger.domain.journal import (
    Account,
    AccountKind,
    EntryBuilder,
    EntryKind,
    JournalEntry,
)
from ledger.domain.rates import RateBook, RateKind
from ledger.service_layer.allocations import Row, book_allocation
from ledger.service_layer.books import Books
from ledger.service_layer.case_changes import Changes, finish
from ledger.service_layer.events import payment_received, settled_in_full
from ledger.service_layer.policy import LedgerPolicy
from ledger.service_layer.reallocation import (
    book_interest_again,
    is_late,
    order_key,
    rebook,
    replay_order,
    rewind,
)
from ledger.service_layer.reversals import take_back


class Unmatched:
    UNKNOWN_KID = "unknown_kid"
    AMBIGUOUS_KID = "ambiguous_kid"
    REVERSAL = "reversal"
    CURRENCY = "currency"


@dataclass(frozen=True)
class PaymentIn:
    """A payment as a bank file or a case handler gives it."""

    transaction_id: str
    kid: str | None
    amount_ore: int
    value_date: date
    source: str
    currency: str = "NOK"
    designation: tuple[Component, ...] = ()
    case_id: uuid.UUID | None = None
    """A payment registered by hand for a named case (no KID needed)."""
    payer_name: str | None = None
    payer_account: str | None = None
    message: str | None = None
    """The payer's free text (remittance information) from the bank file."""

    def payer(self) -> dict[str, str | None]:
        """What the unmatched queue keeps of the payer, cut to its columns' sizes."""
        return {
            "payer_name": _cut(self.payer_name, 140),
            "payer_account": _cut(self.payer_account, 34),
            "message": _cut(self.message, 500),
        }


def _cut(text: str | None, limit: int) -> str | None:
    cleaned = " ".join(text.split()) if text else ""
    return cleaned[:limit] or None


@dataclass
class PaymentSummary:
    """What an import did."""

    received: int = 0
    duplicates: int = 0
    allocated: int = 0
    unmatched: int = 0
    reversed: int = 0
    total_ore: int = 0
    settled_case_ids: list[uuid.UUID] = field(default_factory=list)
    payment_ids: list[uuid.UUID] = field(default_factory=list)


def _suspense_entry(payment: PaymentRecord) -> JournalEntry:
    """Money in (or, for a reversal, out of) the bank that no case can take yet."""
    return (
        EntryBuilder(payment.currency)
        .debit(Account(AccountKind.CLIENT_FUNDS), payment.amount_ore)
        .credit(Account(AccountKind.UNMATCHED), payment.amount_ore)
        .build(
            entry_id=new_id(),
            kind=EntryKind.PAYMENT_UNMATCHED,
            effective_date=payment.value_date,
            natural_key=f"payment:{payment.payment_id}",
            metadata={"payment_id": str(payment.payment_id)},
        )
    )


def _match(
    payment: PaymentIn, by_kid: dict[str, list[uuid.UUID]], reversal_of_payment: uuid.UUID | None
) -> tuple[str, uuid.UUID | None, str | None]:
    """``(status, case, unmatched reason)`` of one payment."""
    if payment.amount_ore < 0:
        if reversal_of_payment is not None:
            return "reversal", None, None
        return "unmatched", None, Unmatched.REVERSAL
    if payment.currency != "NOK":
        return "unmatched", None, Unmatched.CURRENCY
    if payment.case_id is not None:
        return "allocated", payment.case_id, None
    candidates = by_kid.get(payment.kid or "", [])
    if len(candidates) == 1:
        return "allocated", candidates[0], None
    return (
        "unmatched",
        None,
        (Unmatched.AMBIGUOUS_KID if len(candidates) > 1 else Unmatched.UNKNOWN_KID),
    )


async def _reversal_targets(books: Books, payments: Sequence[PaymentIn]) -> dict[str, uuid.UUID]:
    """For each bank reversal, the one payment it takes back (when there is exactly one)."""
    found: dict[str, uuid.UUID] = {}
    for payment in payments:
        if payment.amount_ore < 0 and payment.kid:
            candidates = await books.payments.recent_for_kid(payment.kid, -payment.amount_ore)
            if len(candidates) == 1:
                found[payment.transaction_id] = candidates[0].payment_id
    return found


async def receive_payments(
    books: Books,
    incoming: Sequence[PaymentIn],
    policy: LedgerPolicy,
    *,
    bank_file_id: uuid.UUID | None = None,
) -> PaymentSummary:
    """Match, allocate and book a batch of payments (a bank file, or one by hand)."""
    summary = PaymentSummary(received=len(incoming))
    now = datetime.now(UTC)
    by_kid = await books.cases.by_kid(p.kid for p in incoming if p.kid)
    targets = await _reversal_targets(books, incoming)
    records: list[tuple[PaymentRecord, str | None]] = []
    payers: dict[uuid.UUID, dict[str, str | None]] = {}
    for payment in incoming:
        status, case_id, reason = _match(payment, by_kid, targets.get(payment.transaction_id))
        record = PaymentRecord(
            payment_id=new_id(),
            source=payment.source,
            transaction_id=payment.transaction_id,
            kid=payment.kid,
            amount_ore=payment.amount_ore,
            currency=payment.currency,
            value_date=payment.value_date,
            status=status,
            received_at=now,
            case_id=case_id,
            bank_file_id=bank_file_id,
            designation=tuple(c.value for c in payment.designation),
        )
        records.append((record, reason))
        if status == "unmatched":
            payers[record.payment_id] = payment.payer()
    stored = await books.payments.add_new([r for r, _ in records])
    fresh = [(r, reason) for r, reason in records if r.payment_id in stored]
    summary.duplicates = len(records) - len(fresh)
    summary.payment_ids = [r.payment_id for r, _ in fresh]

    case_ids = {r.case_id for r, _ in fresh if r.case_id is not None}
    reversed_payments = {targets[r.transaction_id]: r for r, _ in fresh if r.status == "reversal"}
    originals = {pid: await books.payments.get(pid, lock=True) for pid in reversed_payments}
    case_ids |= {p.case_id for p in originals.values() if p is not None and p.case_id}
    ledgers = await books.cases.load(case_ids)
    missing = case_ids - set(ledgers)
    if missing:  # a case named by hand that the ledger does not know
        raise PaymentNotFound(f"unknown case {sorted(map(str, missing))[0]}")
    agreements = await books.agreements.get_many(lg.facts.creditor_id for lg in ledgers.values())
    rates = await books.rates.book(RateKind.FORSINKELSESRENTE)
    changes = Changes()
    allocations: list[Row] = []
    unmatched: list[tuple[uuid.UUID, str, list[uuid.UUID]]] = []
    for record, reason in sorted(fresh, key=lambda item: order_key(item[0])):
        summary.total_ore += record.amount_ore
        if record.status == "allocated" and record.case_id is not None:
            ledger = ledgers[record.case_id]
            order = agreements[ledger.facts.creditor_id].order
            await allocate_payment(
                books, ledger, record, rates, order, policy, allocations, changes, summary
            )
        elif record.status == "reversal":
            original = originals[targets[record.transaction_id]]
            assert original is not None
            assert original.case_id is not None
            await take_back(
                books,
                ledgers[original.case_id],
                original,
                None,
                allocations,
                changes,
                rates,
                policy,
            )
            await books.payments.set_status(record.payment_id, "reversal", case_id=original.case_id)
            summary.reversed += 1
        else:
            books.journal.add(_suspense_entry(record))
            candidates = (
                by_kid.get(record.kid or "", []) if reason == Unmatched.AMBIGUOUS_KID else []
            )
            unmatched.append((record.payment_id, reason or Unmatched.UNKNOWN_KID, candidates))
            summary.unmatched += 1
    await books.payments.add_allocations(allocations)
    await books.payments.add_unmatched(unmatched, payers)
    await finish(books, changes, policy)
    return summary


async def allocate_payment(
    books: Books,
    ledger: CaseLedger,
    record: PaymentRecord,
    rates: RateBook,
    order: Sequence[Component],
    policy: LedgerPolicy,
    allocations: list[Row],
    changes: Changes,
    summary: PaymentSummary,
    *,
    source: Account | None = None,
    kind: str = EntryKind.PAYMENT_ALLOCATED,
    natural_key: str | None = None,
) -> None:
    """Book a payment on its case in value-date order: when something is booked after its
    value date, that is undone and booked again after it (:mod:`.reallocation`)."""
    payment = IncomingPayment(
        payment_id=record.payment_id,
        amount_ore=record.amount_ore,
        value_date=record.value_date,
        designation=tuple(Component(c) for c in record.designation),
    )
    was_settled = ledger.facts.settled_on
    rewound = (
        await rewind(books, ledger, record.value_date, allocations)
        if is_late(ledger, record.value_date)
        else None
    )
    booking = book_allocation(
        books,
        ledger,
        payment,
        rates,
        order,
        policy,
        allocations,
        source=source,
        kind=kind,
        natural_key=natural_key,
    )
    for later in replay_order(rewound.undone) if rewound else []:
        rebook(books, ledger, later, rates, policy, allocations)
    if rewound is not None:
        book_interest_again(books, ledger, rewound, rates, policy)
    books.emit(payment_received(ledger, booking))
    settled_on = ledger.facts.settled_on
    if was_settled is None and settled_on is not None:
        books.emit(settled_in_full(ledger, settled_on=settled_on, total_paid_ore=ledger.paid_ore))
        summary.settled_case_ids.append(ledger.facts.case_id)
    summary.allocated += 1
    changes.touch(ledger, "payment", record.value_date)
