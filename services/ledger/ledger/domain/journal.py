"""The double-entry journal: accounts, postings, entries, reversals and the hash chain.

An entry is a set of postings that sum to zero per currency (a debit is positive, a credit
negative), booked on a business date (``effective_date``). Entries are never changed: a
mistake is corrected by a reversal, an entry with every posting negated that names the
entry it reverses. Every entry is chained to the one before it:
``hash = SHA-256(previous hash ‖ canonical entry)``, so changing or removing any booked
entry breaks every hash after it.

The ledger holds no personal data: accounts belong to a case, a creditor or the agency,
named by id only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ledger.domain.components import Component
from ledger.domain.ids import new_id

GENESIS_HASH = bytes(32)
"""The ``previous hash`` of the first entry."""


class AccountKind:
    """Kinds of account. Case accounts hold what the debtor owes (debit balances)."""

    # per case: what the debtor owes, by component, and what the debtor overpaid
    CASE_PRINCIPAL = "case.principal"
    CASE_INTEREST = "case.interest"
    CASE_REMINDER_FEES = "case.reminder_fees"
    CASE_COLLECTION_FEES = "case.collection_fees"
    CASE_COURT_FEES = "case.court_fees"
    CASE_OVERPAID = "case.overpaid"
    """Refundable to the debtor (a liability held in client funds)."""
    # per creditor
    CREDITOR_CLAIMS = "creditor.claims"
    """The creditor's claims under collection: the control account of its cases' principal,
    interest and reminder fees (credit balance)."""
    CREDITOR_PAYABLE = "creditor.payable"
    """Collected for the creditor and not yet settled (client liability, klientansvar)."""
    CREDITOR_PAYOUT_IN_TRANSIT = "creditor.payout_in_transit"
    """Settled and sent to the bank, waiting for its confirmation (two-phase)."""
    # the agency
    AGENCY_FEE_CLAIMS = "agency.fee_claims"
    """The agency's fees under collection (control account of collection and court fees)."""
    AGENCY_FEES_COLLECTED = "agency.fees_collected"
    """The agency's fees collected into client funds, not yet taken at a settlement."""
    AGENCY_FEE_INCOME = "agency.fee_income"
    AGENCY_COMMISSION_INCOME = "agency.commission_income"
    AGENCY_CREDIT_REPORT_INCOME = "agency.credit_report_income"
    # money
    CLIENT_FUNDS = "funds.client_bank"
    """The client funds bank account (klientkonto)."""
    OPERATING_BANK = "funds.operating_bank"
    """The agency's own bank account."""
    UNMATCHED = "funds.unmatched"
    """Payments received that are not yet matched to a case (suspense)."""
    REFUNDS_PAYABLE = "funds.refunds_payable"
    """Payments to be returned to the payer."""


CASE_ACCOUNT_OF: Mapping[Component, str] = {
    Component.PRINCIPAL: AccountKind.CASE_PRINCIPAL,
    Component.INTEREST: AccountKind.CASE_INTEREST,
    Component.REMINDER_FEES: AccountKind.CASE_REMINDER_FEES,
    Component.COLLECTION_FEES: AccountKind.CASE_COLLECTION_FEES,
    Component.COURT_FEES: AccountKind.CASE_COURT_FEES,
}
COMPONENT_OF: Mapping[str, Component] = {v: k for k, v in CASE_ACCOUNT_OF.items()}


class EntryKind:
    CLAIM_REGISTERED = "claim_registered"
    INTEREST_ACCRUED = "interest_accrued"
    INTEREST_REFUNDED = "interest_refunded"
    """Interest paid beyond what was owed, moved to the overpaid account."""
    CREDIT_APPLIED = "credit_applied"
    """The debtor's credit (overpaid) covering what the case owes."""
    FEE_CHARGED = "fee_charged"
    FEE_CORRECTED = "fee_corrected"
    """A fee booked under earlier rules brought to what the rules now give (the difference)."""
    PAYMENT_ALLOCATED = "payment_allocated"
    PAYMENT_UNMATCHED = "payment_unmatched"
    UNMATCHED_RESOLVED = "unmatched_resolved"
    UNMATCHED_REFUNDED = "unmatched_refunded"
    WRITE_OFF = "write_off"
    SETTLEMENT_RESERVED = "settlement_reserved"
    SETTLEMENT_PAID = "settlement_paid"
    REVERSAL = "reversal"


@dataclass(frozen=True, slots=True, order=True)
class Account:
    """An account: its kind and the case or creditor it belongs to (none: the agency's)."""

    kind: str
    holder: uuid.UUID | None = None

    @property
    def code(self) -> str:
        return self.kind if self.holder is None else f"{self.kind}:{self.holder}"

    @staticmethod
    def of_case(case_id: uuid.UUID, component: Component) -> Account:
        return Account(CASE_ACCOUNT_OF[component], case_id)


@dataclass(frozen=True, slots=True)
class Posting:
    account: Account
    amount_ore: int
    """Positive: debit; negative: credit."""
    currency: str = "NOK"


class UnbalancedEntry(ValueError):
    """Postings that do not sum to zero per currency, or an entry with fewer than two."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One balanced entry, ready to be booked."""

    entry_id: uuid.UUID
    kind: str
    effective_date: date
    postings: tuple[Posting, ...]
    case_id: uuid.UUID | None = None
    creditor_id: uuid.UUID | None = None
    natural_key: str | None = None
    """Books this entry at most once (a fee, a registration, a payment)."""
    reverses: uuid.UUID | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedEntry("an entry needs at least two postings")
        sums: dict[str, int] = {}
        for posting in self.postings:
            if posting.amount_ore == 0:
                raise UnbalancedEntry("a posting of zero")
            sums[posting.currency] = sums.get(posting.currency, 0) + posting.amount_ore
        unbalanced = {c: s for c, s in sums.items() if s != 0}
        if unbalanced:
            raise UnbalancedEntry(f"the postings do not balance: {unbalanced}")


def _by_account(item: tuple[Account, int]) -> tuple[str, uuid.UUID | None]:
    """Postings in account order (as :class:`Account` orders, one key per posting)."""
    return item[0].kind, item[0].holder


class EntryBuilder:
    """Collects debits and credits (merging postings to the same account) into an entry."""

    def __init__(self, currency: str = "NOK") -> None:
        self.currency = currency
        self._amounts: dict[Account, int] = {}

    def debit(self, account: Account, amount_ore: int) -> EntryBuilder:
        if amount_ore:
            self._amounts[account] = self._amounts.get(account, 0) + amount_ore
        return self

    def credit(self, account: Account, amount_ore: int) -> EntryBuilder:
        return self.debit(account, -amount_ore)

    @property
    def empty(self) -> bool:
        return not any(self._amounts.values())

    def postings(self) -> tuple[Posting, ...]:
        currency = self.currency
        return tuple(
            Posting(account, amount, currency)
            for account, amount in sorted(self._amounts.items(), key=_by_account)
            if amount
        )

    def build(self, **fields: Any) -> JournalEntry:
        return JournalEntry(postings=self.postings(), **fields)


def reversal_of(
    original: JournalEntry, *, effective_date: date, reason: str, natural_key: str | None = None
) -> JournalEntry:
    """The entry that undoes ``original`` (every posting negated), linked to it."""
    return JournalEntry(
        entry_id=new_id(),
        kind=EntryKind.REVERSAL,
        effective_date=effective_date,
        postings=tuple(Posting(p.account, -p.amount_ore, p.currency) for p in original.postings),
        case_id=original.case_id,
        creditor_id=original.creditor_id,
        natural_key=natural_key,
        reverses=original.entry_id,
        metadata={"reason": reason, "reversed_kind": original.kind},
    )


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    """What the hash covers: an entry as booked, with its place in the chain."""

    seq: int
    entry_id: uuid.UUID
    kind: str
    effective_date: date
    recorded_at: datetime
    case_id: uuid.UUID | None
    creditor_id: uuid.UUID | None
    natural_key: str | None
    reverses: uuid.UUID | None
    metadata: Mapping[str, Any]
    postings: Sequence[tuple[str, int, str]]
    """``(account code, amount, currency)``."""


def canonical(entry: ChainedEntry) -> bytes:
    """A deterministic serialisation of everything the hash covers."""

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    document = {
        "seq": entry.seq,
        "entry_id": str(entry.entry_id),
        "kind": entry.kind,
        "effective_date": entry.effective_date.isoformat(),
        "recorded_at": entry.recorded_at.isoformat(),
        "case_id": text(entry.case_id),
        "creditor_id": text(entry.creditor_id),
        "natural_key": entry.natural_key,
        "reverses": text(entry.reverses),
        "metadata": entry.metadata,
        "postings": sorted([list(p) for p in entry.postings]),
    }
    return _CANONICAL_JSON.encode(document).encode()


_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
"""What ``json.dumps(..., sort_keys=True, separators=(",", ":"), default=str)`` makes, with
the encoder made once."""


def chain_hash(previous: bytes, entry: ChainedEntry) -> bytes:
    return hashlib.sha256(previous + canonical(entry)).digest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    reason: str


class ChainVerifier:
    """Checks booked entries fed in ``seq`` order (streaming: it keeps only the last link).

    Finds a gap in the sequence, a broken link, a hash that does not match its entry and an
    unbalanced entry.
    """

    def __init__(self) -> None:
        self.expected_seq = 1
        self.previous = GENESIS_HASH
        self.checked = 0
        self.problems: list[ChainProblem] = []

    def feed(self, entry: ChainedEntry, stored_previous: bytes, stored_hash: bytes) -> None:
        problems = self.problems
        if entry.seq != self.expected_seq:
            problems.append(ChainProblem(entry.seq, f"expected seq {self.expected_seq}"))
        if stored_previous != self.previous:
            problems.append(ChainProblem(entry.seq, "previous hash does not link"))
        if chain_hash(stored_previous, entry) != stored_hash:
            problems.append(ChainProblem(entry.seq, "hash does not match the entry"))
        sums: dict[str, int] = {}
        for _, amount, currency in entry.postings:
            sums[currency] = sums.get(currency, 0) + amount
        if any(sums.values()) or len(entry.postings) < 2:
            problems.append(ChainProblem(entry.seq, "entry does not balance"))
        self.expected_seq = entry.seq + 1
        self.previous = stored_hash
        self.checked += 1


def verify_chain(entries: Iterable[tuple[ChainedEntry, bytes, bytes]]) -> list[ChainProblem]:
    """Check ``(entry, stored previous hash, stored hash)`` in ``seq`` order."""
    verifier = ChainVerifier()
    for entry, stored_previous, stored_hash in entries:
        verifier.feed(entry, stored_previous, stored_hash)
    return verifier.problems
