"""Re-allocation in value-date order: the economy of a case is a function of its payments
ordered by value date, not of the order in which bank files arrived. Payments of the same
value date are taken in the order they were booked: what they cover together does not
depend on it (the interest is the same, and so is each component's total unless a payer
designated two or more components; ADR 13).

When a payment arrives whose value date is before what is already booked on the case, or
a payment is taken back while later ones are booked (or ones of its date booked after
it), the later bookings are undone and booked again in order:

1. **rewind**: every entry of the case booked after the payment in value-date order
   (allocations, interest, interest refunds and credits) is reversed by a linked reversal
   on its own effective date, and every allocation row it made is negated (``undone``);
2. **replay**: the new payment and the payments undone are booked again in order
   (``rebooked`` rows, each with the order of components it used the first time);
3. interest is booked again as far as it was before.

Nothing booked is changed: the journal gains reversals and new entries. Entries keep
their effective dates, so the books as known now on any past date are what an in-order
arrival would have booked; the books as booked then stay readable (``recorded_at``).
Rows already settled stay settled: the ``undone`` and ``rebooked`` rows are the
correcting lines of the creditor's next settlement (ADR 0013).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import text

from ledger.adapters.journal import entries_after
from ledger.adapters.payment_store import PaymentRecord
from ledger.domain.case_ledger import ALLOCATION_KINDS, CaseLedger, IncomingPayment
from ledger.domain.components import Component
from ledger.domain.journal import Account, AccountKind, EntryKind, JournalEntry
from ledger.domain.rates import RateBook
from ledger.service_layer.allocations import Row, book_allocation, negated
from ledger.service_layer.books import Books
from ledger.service_layer.policy import LedgerPolicy

REWOUND_KINDS = frozenset(
    {
        *ALLOCATION_KINDS,
        EntryKind.INTEREST_ACCRUED,
        EntryKind.INTEREST_REFUNDED,
        EntryKind.CREDIT_APPLIED,
    }
)
"""Entries a re-allocation undoes and books again (fees and write-offs stay)."""

SOURCE_OF = {
    EntryKind.PAYMENT_ALLOCATED: AccountKind.CLIENT_FUNDS,
    EntryKind.UNMATCHED_RESOLVED: AccountKind.UNMATCHED,
}
"""Where the money of an allocation came from, by the kind of its entry."""


@dataclass(frozen=True)
class Undone:
    """A payment's allocation undone, to be booked again."""

    record: PaymentRecord
    entry: JournalEntry


@dataclass
class Rewound:
    on: date
    interest_booked_to: date | None
    undone: list[Undone] = field(default_factory=list)


def is_late(ledger: CaseLedger, value_date: date) -> bool:
    """Whether the case may have bookings after ``value_date`` (interest is booked to every
    allocated payment's value date, so nothing is when it is booked to that date or an
    earlier one). A case closed unpaid is not re-allocated: what it owed is written off."""
    booked_to = ledger.interest_booked_to
    return ledger.facts.interest_stops is None and booked_to is not None and value_date < booked_to


def order_key(record: PaymentRecord) -> date:
    """Payments are booked by value date (one bank file's in that order)."""
    return record.value_date


async def flush_pending(
    books: Books, allocations: list[Row], case_id: uuid.UUID | None = None
) -> None:
    """Book what this transaction collected so far, so a rewind reads all of it (with
    ``case_id``: only when something of that case is among it)."""
    if case_id is not None and not (
        books.journal.has_pending(case_id) or any(row["case_id"] == case_id for row in allocations)
    ):
        return
    await books.payments.add_allocations(allocations)
    allocations.clear()
    await books.journal.flush()


async def rewind(
    books: Books,
    ledger: CaseLedger,
    on: date,
    allocations: list[Row],
    *,
    after_entry: uuid.UUID | None = None,
) -> Rewound:
    """Undo everything booked on the case after ``on`` (and, with ``after_entry``, the
    allocations of ``on`` booked after that entry)."""
    await flush_pending(books, allocations, ledger.facts.case_id)
    rewound = Rewound(on, ledger.interest_booked_to)
    entries = await entries_after(
        books.session,
        ledger.facts.case_id,
        on,
        after_entry=after_entry,
        kinds=REWOUND_KINDS,
        allocation_kinds=ALLOCATION_KINDS,
    )
    rows = await books.payments.allocations_with_payments(
        ledger.facts.case_id, [e.entry_id for e in entries]
    )
    reason = f"re-allocated in value-date order from {on.isoformat()}"
    for entry in entries:
        undo = books.journal.add(ledger.undo(entry, reason=reason))
        found = rows.get(entry.entry_id)
        if found is None:
            continue
        row, payment = found
        allocations.append(negated(row, undo, "undone"))
        if entry.kind in ALLOCATION_KINDS and payment is not None:
            rewound.undone.append(Undone(payment, entry))
    ledger.rewound_to(on)
    ledger.reopen_if_owed()
    return rewound


def rebook(
    books: Books,
    ledger: CaseLedger,
    undone: Undone,
    rates: RateBook,
    policy: LedgerPolicy,
    allocations: list[Row],
) -> None:
    """Book an undone payment again, in the order of components it used before."""
    entry = undone.entry
    order = tuple(Component(c) for c in entry.metadata.get("order", ()))
    record = undone.record
    book_allocation(
        books,
        ledger,
        IncomingPayment(record.payment_id, record.amount_ore, record.value_date),
        rates,
        order,
        policy,
        allocations,
        source=Account(SOURCE_OF.get(entry.kind, AccountKind.CLIENT_FUNDS)),
        kind=entry.kind,
        natural_key=f"rebook:{entry.entry_id}",
        row_kind="rebooked",
        metadata={
            "rebooks": str(entry.entry_id),
            "designation": list(entry.metadata.get("designation", ())),
        },
    )


def book_interest_again(
    books: Books, ledger: CaseLedger, rewound: Rewound, rates: RateBook, policy: LedgerPolicy
) -> None:
    """Interest is booked as far as it was before the rewind."""
    before = rewound.interest_booked_to
    now = ledger.interest_booked_to
    if before is not None and (now is None or before > now):
        booked = ledger.book_interest(rates, before, policy.day_count)
        books.journal.extend(booked.entries)


def replay_order(undone: Sequence[Undone]) -> list[Undone]:
    """By value date; one date's payments in the order they were booked before."""
    return sorted(undone, key=lambda u: u.record.value_date)


@dataclass(frozen=True)
class Restated:
    """A case booked again in value-date order: what it owed and had overpaid before and
    after."""

    case_id: uuid.UUID
    owed_before: dict[Component, int]
    owed_after: dict[Component, int]
    overpaid_before: int
    overpaid_after: int

    @property
    def changed(self) -> bool:
        return (self.owed_before, self.overpaid_before) != (self.owed_after, self.overpaid_after)


_FIRST_ALLOCATION = text(
    """
    SELECT min(a.value_date) FROM payment_allocations a
     WHERE a.case_id = :case_id AND a.kind IN ('payment', 'rebooked')
       AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses = a.entry_id)
    """
)


async def restate_case(
    books: Books, case_id: uuid.UUID, rates: RateBook, policy: LedgerPolicy
) -> Restated | None:
    """Book a case's payments again in value-date order from its first one (cases booked
    in arrival order before ADR 13, or a fee whose step came after later payments). None
    when there is nothing to restate (no payment, or closed other than paid)."""
    ledger = (await books.cases.load([case_id])).get(case_id)
    if ledger is None or ledger.facts.interest_stops is not None:
        return None
    first = await books.session.scalar(_FIRST_ALLOCATION, {"case_id": case_id})
    if first is None:
        return None
    owed, overpaid = ledger.outstanding(), ledger.overpaid_ore
    allocations: list[Row] = []
    rewound = await rewind(books, ledger, first - timedelta(days=1), allocations)
    for undone in replay_order(rewound.undone):
        rebook(books, ledger, undone, rates, policy, allocations)
    book_interest_again(books, ledger, rewound, rates, policy)
    await books.payments.add_allocations(allocations)
    await books.cases.save_state([ledger])
    return Restated(case_id, owed, ledger.outstanding(), overpaid, ledger.overpaid_ore)
