"""One case's accounts: what is booked on it, and the entries that change it.

A :class:`CaseLedger` is loaded with the case's balances and principal history, then asked
for the entries a registration, a fee, interest, a payment or a write-off books. It keeps
its balances up to date as it makes entries, so several payments to one case in one batch
are allocated one after the other, each against what the one before left.

Interest is *booked* lazily: whenever a payment is allocated (up to its value date), a case
closes unpaid, or someone asks. What is booked is always the exact interest to the date,
rounded once, less what was booked before, so booking often or seldom gives the same
amounts.

A payment covers what the case owed **on its value date** (entries booked with a later
effective date do not count). A payment whose value date is earlier than what is already
booked on the case is not allocated here directly: the service first undoes the later
bookings (:meth:`CaseLedger.undo`, linked reversals) and then books the payments again in
value-date order (:mod:`ledger.service_layer.reallocation`), so the economy of a case
depends on its facts, not on the order in which they arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from ledger.domain.allocation import Allocation, allocate
from ledger.domain.components import (
    CREDITOR_COMPONENTS,
    Component,
    agency_share,
    creditor_share,
)
from ledger.domain.fees import CaseTerms, DebtorKind, FeeCharge, Reminder
from ledger.domain.ids import new_id
from ledger.domain.interest import (
    ClaimPrincipal,
    DayCount,
    InterestAccrual,
    PrincipalMovement,
    accrue,
)
from ledger.domain.journal import (
    COMPONENT_OF,
    Account,
    AccountKind,
    EntryBuilder,
    EntryKind,
    JournalEntry,
    reversal_of,
)
from ledger.domain.rates import RateBook

CloseReason = Literal["paid", "withdrawn", "uncollectible"]

PAYMENT_ENTRY_KINDS = frozenset(
    {
        EntryKind.PAYMENT_ALLOCATED,
        EntryKind.UNMATCHED_RESOLVED,
        EntryKind.INTEREST_REFUNDED,
        EntryKind.CREDIT_APPLIED,
    }
)
"""Entries whose postings on a case's accounts are money paid (a reversal of one: taken
back)."""

ALLOCATION_KINDS = frozenset({EntryKind.PAYMENT_ALLOCATED, EntryKind.UNMATCHED_RESOLVED})
"""Entries that allocate one payment to a case."""


@dataclass(frozen=True, slots=True)
class Claim:
    claim_id: uuid.UUID
    due_date: date
    principal_ore: int
    reminder_fee_ore: int
    time_barred_on: date | None = None
    """The first day the claim is time-barred, as the cases service says (ADR 0050)."""
    interest_due_date: date | None = None
    """No due date agreed in advance: 30 days after the påkrav; interest runs from the day
    after it instead of after ``due_date`` (forsinkelsesrenteloven § 2; ADR 0051)."""

    reminders: tuple[Reminder, ...] | None = None
    """The reminders the creditor sent, as events (None: not given, only the total)."""

    @property
    def interest_from(self) -> date:
        """The day interest is counted after (as a due date)."""
        return self.interest_due_date or self.due_date


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the ledger knows of a case (ids, dates, amounts; no personal data)."""

    case_id: uuid.UUID
    creditor_id: uuid.UUID
    kid: str
    debtor_kind: DebtorKind
    currency: str
    claims: tuple[Claim, ...]
    closed_on: date | None = None
    close_reason: str | None = None
    settled_on: date | None = None

    @property
    def principal_ore(self) -> int:
        return sum(c.principal_ore for c in self.claims)

    @property
    def latest_due_date(self) -> date:
        return max(c.due_date for c in self.claims)

    @property
    def interest_stops(self) -> date | None:
        """Interest stops when a case closes other than paid."""
        return self.closed_on if self.closed_on and self.close_reason != "paid" else None

    def terms(self, *, vat_deductible: bool, standardkompensasjon: bool = False) -> CaseTerms:
        return CaseTerms(
            debtor_kind=self.debtor_kind,
            principal_ore=self.principal_ore,
            latest_due_date=self.latest_due_date,
            reminder_fees_ore=tuple(c.reminder_fee_ore for c in self.claims),
            claim_due_dates=tuple(c.due_date for c in self.claims),
            vat_deductible=vat_deductible,
            claim_principals_ore=tuple(c.principal_ore for c in self.claims),
            claim_time_barred_on=tuple(c.time_barred_on for c in self.claims),
            claim_ids=tuple(str(c.claim_id) for c in self.claims),
            claim_reminders=tuple(c.reminders for c in self.claims),
            claim_interest_from=tuple(c.interest_from for c in self.claims),
            claims_standardkompensasjon=standardkompensasjon,
            currency=self.currency,
        )

    def claim_principals(self) -> tuple[ClaimPrincipal, ...]:
        return tuple(
            ClaimPrincipal(c.claim_id, c.interest_from, c.principal_ore, c.time_barred_on)
            for c in self.claims
        )


@dataclass(frozen=True, slots=True)
class IncomingPayment:
    payment_id: uuid.UUID
    amount_ore: int
    value_date: date
    designation: tuple[Component, ...] = ()


@dataclass(frozen=True, slots=True)
class InterestBooking:
    """The entries that booked interest, and interest paid beyond what turned out owed
    (moved to the overpaid account)."""

    entries: tuple[JournalEntry, ...]
    refunded_ore: int


@dataclass(frozen=True, slots=True)
class PaymentBooking:
    """The entries one payment booked on a case and how it was split."""

    payment: IncomingPayment
    interest: InterestBooking
    """Interest booked to the value date, before the payment was split."""
    entry: JournalEntry
    allocation: Allocation
    settled_now: bool

    @property
    def entries(self) -> tuple[JournalEntry, ...]:
        return (*self.interest.entries, self.entry)


def booked_kind(entry_kind: str, metadata: Mapping[str, object]) -> str:
    """The kind an entry counts as: a reversal counts as the kind it reverses (negated)."""
    if entry_kind == EntryKind.REVERSAL:
        return str(metadata.get("reversed_kind") or entry_kind)
    return entry_kind


def registration_entry(facts: CaseFacts) -> JournalEntry:
    """The claims handed over: the debtor owes principal and reminder fees to the creditor."""
    principal = facts.principal_ore
    reminder = sum(c.reminder_fee_ore for c in facts.claims)
    builder = (
        EntryBuilder(facts.currency)
        .debit(Account.of_case(facts.case_id, Component.PRINCIPAL), principal)
        .debit(Account.of_case(facts.case_id, Component.REMINDER_FEES), reminder)
        .credit(Account(AccountKind.CREDITOR_CLAIMS, facts.creditor_id), principal + reminder)
    )
    return builder.build(
        entry_id=new_id(),
        kind=EntryKind.CLAIM_REGISTERED,
        effective_date=min(c.due_date for c in facts.claims),
        case_id=facts.case_id,
        creditor_id=facts.creditor_id,
        natural_key=f"claim:{facts.case_id}",
        metadata={"claims": len(facts.claims)},
    )


@dataclass(frozen=True, slots=True)
class _AccrualMemo:
    """An accrual and the inputs it was computed from (rates and claims by identity)."""

    rates: RateBook
    claims: tuple[Claim, ...]
    inputs: tuple[object, ...]
    accrual: InterestAccrual


@dataclass
class CaseLedger:
    """The case's accounts as booked, and the entries that change them."""

    facts: CaseFacts
    balances: dict[str, int] = field(default_factory=dict)
    """Account kind → balance (all entries booked so far, whatever their date)."""
    principal_movements: list[PrincipalMovement] = field(default_factory=list)
    """Principal paid (or taken back) after registration, by value date."""
    interest_booked_ore: int = 0
    interest_booked_to: date | None = None
    paid_ore: int = 0
    """Everything paid on the case (net of payments taken back), overpayments included."""
    dated: dict[date, dict[str, int]] = field(default_factory=dict)
    """Effective date → account kind → what entries of that date booked (balances by date)."""
    _last_accrual: _AccrualMemo | None = field(default=None, init=False, repr=False, compare=False)
    """The last accrual computed and what it was computed from (a payment's interest is
    booked to its value date, and the balance event states it to the same date)."""

    # -- reading ---------------------------------------------------------------------------

    def outstanding(self) -> dict[Component, int]:
        """What the debtor owes by component, as booked (interest only as far as booked)."""
        return {c: self.balances.get(kind, 0) for kind, c in COMPONENT_OF.items()}

    def owed_on(self, on: date) -> dict[Component, int]:
        """What the debtor owed on ``on`` by component: entries of a later effective date
        (a fee for a later step) do not count. A case closed unpaid owes what is booked
        (its write-off is what it owes: nothing)."""
        owed = self.outstanding()
        if self.facts.interest_stops is not None:
            return owed
        for day, amounts in self.dated.items():
            if day > on:
                for kind, amount in amounts.items():
                    component = COMPONENT_OF.get(kind)
                    if component is not None:
                        owed[component] -= amount
        return owed

    @property
    def last_booked_on(self) -> date | None:
        """The latest effective date of anything booked on the case."""
        return max(self.dated) if self.dated else None

    @property
    def balance_ore(self) -> int:
        return sum(self.outstanding().values())

    @property
    def overpaid_ore(self) -> int:
        return -self.balances.get(AccountKind.CASE_OVERPAID, 0)

    def accrual(self, rates: RateBook, as_of: date, day_count: DayCount) -> InterestAccrual:
        """Interest accrued from the due dates to ``as_of`` on the principal history (the
        same inputs again give the accrual computed last without computing it again)."""
        facts = self.facts
        inputs = (as_of, day_count, facts.interest_stops, tuple(self.principal_movements))
        last = self._last_accrual
        if (
            last is not None
            and last.rates is rates
            and last.claims is facts.claims
            and last.inputs == inputs
        ):
            return last.accrual
        accrual = accrue(
            facts.claim_principals(),
            self.principal_movements,
            rates,
            as_of,
            stop=facts.interest_stops,
            day_count=day_count,
        )
        self._last_accrual = _AccrualMemo(rates, facts.claims, inputs, accrual)
        return accrual

    def interest_through(
        self, rates: RateBook, on: date, day_count: DayCount
    ) -> tuple[InterestAccrual, int]:
        """Interest accrued through ``on`` (or as far as booked, if later), booked or not, and
        what of it is outstanding: the accrual less what was paid of the booked interest or
        written off (as the case economy states it)."""
        upto = max(on, self.interest_booked_to) if self.interest_booked_to else on
        accrual = self.accrual(rates, upto, day_count)
        settled = self.interest_booked_ore - self.balances.get(AccountKind.CASE_INTEREST, 0)
        return accrual, accrual.amount_ore - settled

    # -- booking ---------------------------------------------------------------------------

    def record(self, entry_kind: str, effective_date: date, account: str, amount_ore: int) -> None:
        """Take what an entry of ``entry_kind`` (a reversal: the kind it reverses) booked on
        one of this case's accounts into the balances, the principal history, the interest
        booked and what was paid."""
        self.balances[account] = self.balances.get(account, 0) + amount_ore
        day = self.dated.setdefault(effective_date, {})
        day[account] = day.get(account, 0) + amount_ore
        if account == AccountKind.CASE_PRINCIPAL and entry_kind != EntryKind.CLAIM_REGISTERED:
            self.principal_movements.append(PrincipalMovement(effective_date, -amount_ore))
        if account == AccountKind.CASE_INTEREST and entry_kind == EntryKind.INTEREST_ACCRUED:
            self.interest_booked_ore += amount_ore
        if entry_kind in PAYMENT_ENTRY_KINDS:
            self.paid_ore -= amount_ore

    def apply(self, entry: JournalEntry) -> JournalEntry:
        """Take an entry's postings on this case's accounts into the balances."""
        kind = booked_kind(entry.kind, entry.metadata)
        for posting in entry.postings:
            if posting.account.holder == self.facts.case_id:
                self.record(kind, entry.effective_date, posting.account.kind, posting.amount_ore)
        return entry

    def undo(
        self, entry: JournalEntry, *, reason: str, natural_key: str | None = None
    ) -> JournalEntry:
        """Reverse a booked entry of this case on its own effective date (a linked reversal:
        the books as of every date then read as if it had never been booked)."""
        return self.apply(
            reversal_of(
                entry, effective_date=entry.effective_date, reason=reason, natural_key=natural_key
            )
        )

    def rewound_to(self, on: date) -> None:
        """Interest is booked to ``on`` at most now (the later interest was undone)."""
        if self.interest_booked_to is not None and self.interest_booked_to > on:
            self.interest_booked_to = on

    def _builder(self) -> EntryBuilder:
        return EntryBuilder(self.facts.currency)

    def _account(self, component: Component) -> Account:
        return Account.of_case(self.facts.case_id, component)

    def book_interest(self, rates: RateBook, to: date, day_count: DayCount) -> InterestBooking:
        """Book interest up to ``to`` (or as far as booked before, if later).

        Booked is always the exact total to the date, rounded once, less what was booked
        before. Less than before (a payment with an earlier value date came in) gives
        interest back; if the debtor had already paid it, what was paid beyond the interest
        owed becomes an overpayment (refundable), taken back from the creditor's payable.
        """
        upto = max(to, self.interest_booked_to) if self.interest_booked_to else to
        accrual = self.accrual(rates, upto, day_count)
        delta = accrual.amount_ore - self.interest_booked_ore
        self.interest_booked_to = upto
        if delta == 0:
            return InterestBooking((), 0)
        creditor = self.facts.creditor_id
        entry = (
            self._builder()
            .debit(self._account(Component.INTEREST), delta)
            .credit(Account(AccountKind.CREDITOR_CLAIMS, creditor), delta)
            .build(
                entry_id=new_id(),
                kind=EntryKind.INTEREST_ACCRUED,
                effective_date=upto,
                case_id=self.facts.case_id,
                creditor_id=creditor,
                metadata={
                    "to": upto.isoformat(),
                    "exact_ore": str(accrual.exact_ore),
                    "total_ore": accrual.amount_ore,
                    "rate_ids": list(accrual.rate_ids),
                },
            )
        )
        self.apply(entry)
        paid_beyond = -self.balances.get(AccountKind.CASE_INTEREST, 0)
        if paid_beyond <= 0:
            return InterestBooking((entry,), 0)
        refund = (
            self._builder()
            .debit(self._account(Component.INTEREST), paid_beyond)
            .credit(Account(AccountKind.CASE_OVERPAID, self.facts.case_id), paid_beyond)
            .debit(Account(AccountKind.CREDITOR_PAYABLE, creditor), paid_beyond)
            .credit(Account(AccountKind.CREDITOR_CLAIMS, creditor), paid_beyond)
            .build(
                entry_id=new_id(),
                kind=EntryKind.INTEREST_REFUNDED,
                effective_date=upto,
                case_id=self.facts.case_id,
                creditor_id=creditor,
                metadata={"reason": "interest paid beyond what was owed"},
            )
        )
        self.apply(refund)
        return InterestBooking((entry, refund), paid_beyond)

    def _claims_account(self, component: Component) -> Account:
        """Whose claim a fee is: the creditor's (a creditor component, such as the
        standardkompensasjon, ADR 0056) or the agency's (collection and court fees)."""
        if component in CREDITOR_COMPONENTS:
            return Account(AccountKind.CREDITOR_CLAIMS, self.facts.creditor_id)
        return Account(AccountKind.AGENCY_FEE_CLAIMS)

    def charge_fee(self, charge: FeeCharge) -> JournalEntry:
        """A fee the debtor owes the agency (a collection or court fee), or the creditor
        (the standardkompensasjon)."""
        entry = (
            self._builder()
            .debit(self._account(charge.component), charge.amount_ore)
            .credit(self._claims_account(charge.component), charge.amount_ore)
            .build(
                entry_id=new_id(),
                kind=EntryKind.FEE_CHARGED,
                effective_date=charge.effective_date,
                case_id=self.facts.case_id,
                creditor_id=self.facts.creditor_id,
                natural_key=f"fee:{self.facts.case_id}:{charge.key}",
                metadata={
                    "fee": charge.kind,
                    "step": charge.step,
                    "rate_ids": list(charge.rate_ids),
                    "basis": dict(charge.basis),
                },
            )
        )
        if self.facts.settled_on is not None:
            self.facts = _with_settled(self.facts, None)
        return self.apply(entry)

    def correct_fee(self, charge: FeeCharge, booked_ore: int) -> JournalEntry:
        """A fee booked as ``booked_ore`` under earlier rules, brought to ``charge`` (what the
        rules now give): the difference between the case's fee and the agency's fee claims
        (less owed when negative). Booked on the step's date; the old entry stays."""
        delta = charge.amount_ore - booked_ore
        entry = (
            self._builder()
            .debit(self._account(charge.component), delta)
            .credit(self._claims_account(charge.component), delta)
            .build(
                entry_id=new_id(),
                kind=EntryKind.FEE_CORRECTED,
                effective_date=charge.effective_date,
                case_id=self.facts.case_id,
                creditor_id=self.facts.creditor_id,
                natural_key=(
                    f"fee:{self.facts.case_id}:{charge.key}:corrected:"
                    f"{booked_ore}:{charge.amount_ore}"
                ),
                metadata={
                    "fee": charge.kind,
                    "step": charge.step,
                    "booked_ore": booked_ore,
                    "now_ore": charge.amount_ore,
                    "rate_ids": list(charge.rate_ids),
                    "basis": dict(charge.basis),
                },
            )
        )
        return self.apply(entry)

    def _cover(
        self,
        allocation: Allocation,
        *,
        source: Account,
        kind: str,
        effective_date: date,
        natural_key: str | None,
        metadata: Mapping[str, object],
    ) -> JournalEntry:
        """The entry of money from ``source`` covering what ``allocation`` says: the case's
        accounts are credited, and what was collected moves from the claims under
        collection to what is payable to the creditor or collected for the agency."""
        creditor_id = self.facts.creditor_id
        builder = self._builder().debit(source, allocation.amount_ore)
        for component, amount in allocation.covered.items():
            builder.credit(self._account(component), amount)
        builder.credit(
            Account(AccountKind.CASE_OVERPAID, self.facts.case_id), allocation.overpaid_ore
        )
        to_creditor = creditor_share(allocation.covered)
        to_agency = agency_share(allocation.covered)
        builder.debit(Account(AccountKind.CREDITOR_CLAIMS, creditor_id), to_creditor)
        builder.credit(Account(AccountKind.CREDITOR_PAYABLE, creditor_id), to_creditor)
        builder.debit(Account(AccountKind.AGENCY_FEE_CLAIMS), to_agency)
        builder.credit(Account(AccountKind.AGENCY_FEES_COLLECTED), to_agency)
        entry = builder.build(
            entry_id=new_id(),
            kind=kind,
            effective_date=effective_date,
            case_id=self.facts.case_id,
            creditor_id=creditor_id,
            natural_key=natural_key,
            metadata={**metadata, "order": [c.value for c in allocation.order]},
        )
        return self.apply(entry)

    def take_payment(
        self,
        payment: IncomingPayment,
        rates: RateBook,
        order: Sequence[Component],
        day_count: DayCount,
        *,
        source: Account | None = None,
        kind: str = EntryKind.PAYMENT_ALLOCATED,
        natural_key: str | None = None,
        metadata: Mapping[str, object] | None = None,
    ) -> PaymentBooking:
        """Book interest to the value date, then split the payment over what was owed on it.

        ``source`` is where the money is (the client funds bank account, or the unmatched
        suspense account when a case handler matches a payment). The payment must not be
        earlier than what is booked on the case (the service undoes later bookings first).
        """
        interest = self.book_interest(rates, payment.value_date, day_count)
        allocation = allocate(
            payment.amount_ore, self.owed_on(payment.value_date), order, payment.designation
        )
        entry = self._cover(
            allocation,
            source=source or Account(AccountKind.CLIENT_FUNDS),
            kind=kind,
            effective_date=payment.value_date,
            natural_key=natural_key or f"payment:{payment.payment_id}",
            metadata={
                "payment_id": str(payment.payment_id),
                "designation": [c.value for c in payment.designation],
                **(metadata or {}),
            },
        )
        settled_now = False
        if self.balance_ore == 0 and self.facts.settled_on is None:
            self.facts = _with_settled(self.facts, payment.value_date)
            settled_now = True
        return PaymentBooking(payment, interest, entry, allocation, settled_now)

    def reopen_if_owed(self) -> None:
        """A case that owes again is no longer settled."""
        if self.balance_ore > 0 and self.facts.settled_on is not None:
            self.facts = _with_settled(self.facts, None)

    def take_back(self, reversal: JournalEntry) -> None:
        """Apply the reversal of a payment (what it covered is owed again from its date)."""
        self.apply(reversal)
        self.reopen_if_owed()

    def write_off(self, on: date, reason: str) -> JournalEntry | None:
        """Close the case's receivables (withdrawn or uncollectible): owed to nobody now."""
        builder = self._builder()
        for component, amount in self.outstanding().items():
            if amount <= 0:
                continue
            builder.credit(self._account(component), amount)
            control = (
                Account(AccountKind.CREDITOR_CLAIMS, self.facts.creditor_id)
                if component in CREDITOR_COMPONENTS
                else Account(AccountKind.AGENCY_FEE_CLAIMS)
            )
            builder.debit(control, amount)
        if builder.empty:
            return None
        entry = builder.build(
            entry_id=new_id(),
            kind=EntryKind.WRITE_OFF,
            effective_date=on,
            case_id=self.facts.case_id,
            creditor_id=self.facts.creditor_id,
            natural_key=f"writeoff:{self.facts.case_id}",
            metadata={"reason": reason},
        )
        return self.apply(entry)


def _with_settled(facts: CaseFacts, settled_on: date | None) -> CaseFacts:
    return replace(facts, settled_on=settled_on)


def split_of(allocation: Allocation) -> Mapping[Component, int]:
    """Every component with its amount (zero when not covered)."""
    return {c: allocation.covered.get(c, 0) for c in Component}
