"""Settlements (avregning) with a creditor: what was collected for it, what it is paid.

A settlement takes every payment allocation on the creditor's cases up to the end of the
period that no settlement has taken yet. Per line (case and payment):

- the creditor's share: principal, interest and the reminder fees it charged itself;
- the agency's commission: the agreed percentage of principal and interest collected,
  computed exactly per kind (principal, interest) over the whole settlement and rounded
  once per kind (:func:`ledger.domain.money.round_ore`), then apportioned to the lines
  (:func:`apportion`) so that the lines add up to it (``docs/money-rules.md`` § 9);
- the agency's own fees collected (inkassovarsel fee, salær, court fees) stay with it.

Credit-report charges the creditor owes are deducted from the total (oldest first, as far
as the total goes; the rest wait for the next settlement). It is two-phase: the
*reserve* entry moves the payout from what is owed to the creditor to "in transit" and
books the agency's income; the *paid* entry, when the bank confirms the payout, takes the
money out of client funds. A payout the bank rejects is voided by reversing the reserve
entry, and its lines are free to settle again.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from ledger.domain.components import Component
from ledger.domain.ids import new_id
from ledger.domain.journal import Account, AccountKind, EntryBuilder, EntryKind, JournalEntry
from ledger.domain.money import round_ore


@dataclass(frozen=True, slots=True)
class Collected:
    """One payment allocation not yet settled."""

    allocation_id: int
    payment_id: uuid.UUID | None
    case_id: uuid.UUID
    value_date: date
    amounts: Mapping[Component, int]


@dataclass(frozen=True, slots=True)
class CreditReportCharge:
    charge_id: uuid.UUID
    amount_ore: int
    purchased_on: date


@dataclass(frozen=True, slots=True)
class SettlementLine:
    allocation_id: int
    payment_id: uuid.UUID | None
    case_id: uuid.UUID
    value_date: date
    principal_ore: int
    interest_ore: int
    reminder_fees_ore: int
    agency_fees_ore: int
    commission_ore: int

    @property
    def creditor_share_ore(self) -> int:
        return self.principal_ore + self.interest_ore + self.reminder_fees_ore

    @property
    def net_ore(self) -> int:
        return self.creditor_share_ore - self.commission_ore


@dataclass(frozen=True, slots=True)
class SettlementDraft:
    """A settlement computed, not yet booked."""

    creditor_id: uuid.UUID
    period_end: date
    lines: tuple[SettlementLine, ...]
    charges: tuple[CreditReportCharge, ...]

    @property
    def collected_ore(self) -> int:
        return sum(line.creditor_share_ore for line in self.lines)

    @property
    def commission_ore(self) -> int:
        return sum(line.commission_ore for line in self.lines)

    @property
    def agency_fees_ore(self) -> int:
        return sum(line.agency_fees_ore for line in self.lines)

    @property
    def credit_report_charges_ore(self) -> int:
        return sum(charge.amount_ore for charge in self.charges)

    @property
    def payout_ore(self) -> int:
        return self.collected_ore - self.commission_ore - self.credit_report_charges_ore

    @property
    def kept_ore(self) -> int:
        """What the agency takes out of client funds for itself."""
        return self.commission_ore + self.credit_report_charges_ore + self.agency_fees_ore

    def reserve_entry(self, *, on: date, settlement_id: uuid.UUID) -> JournalEntry | None:
        creditor = self.creditor_id
        builder = (
            EntryBuilder()
            .debit(Account(AccountKind.CREDITOR_PAYABLE, creditor), self.collected_ore)
            .credit(Account(AccountKind.CREDITOR_PAYOUT_IN_TRANSIT, creditor), self.payout_ore)
            .credit(Account(AccountKind.AGENCY_COMMISSION_INCOME), self.commission_ore)
            .credit(
                Account(AccountKind.AGENCY_CREDIT_REPORT_INCOME), self.credit_report_charges_ore
            )
            .debit(Account(AccountKind.AGENCY_FEES_COLLECTED), self.agency_fees_ore)
            .credit(Account(AccountKind.AGENCY_FEE_INCOME), self.agency_fees_ore)
        )
        if builder.empty:
            return None
        return builder.build(
            entry_id=new_id(),
            kind=EntryKind.SETTLEMENT_RESERVED,
            effective_date=on,
            creditor_id=creditor,
            natural_key=f"settlement:{settlement_id}:reserved",
            metadata={"settlement_id": str(settlement_id), "lines": len(self.lines)},
        )


def paid_entry(
    *,
    creditor_id: uuid.UUID,
    settlement_id: uuid.UUID,
    payout_ore: int,
    kept_ore: int,
    on: date,
) -> JournalEntry | None:
    """The bank paid the creditor: the payout and the agency's part leave client funds."""
    builder = (
        EntryBuilder()
        .debit(Account(AccountKind.CREDITOR_PAYOUT_IN_TRANSIT, creditor_id), payout_ore)
        .credit(Account(AccountKind.CLIENT_FUNDS), payout_ore)
        .debit(Account(AccountKind.OPERATING_BANK), kept_ore)
        .credit(Account(AccountKind.CLIENT_FUNDS), kept_ore)
    )
    if builder.empty:
        return None
    return builder.build(
        entry_id=new_id(),
        kind=EntryKind.SETTLEMENT_PAID,
        effective_date=on,
        creditor_id=creditor_id,
        natural_key=f"settlement:{settlement_id}:paid",
        metadata={"settlement_id": str(settlement_id)},
    )


COMMISSION_KINDS = (Component.PRINCIPAL, Component.INTEREST)
"""What commission is charged on; each kind is rounded once per settlement."""


def apportion(exact: Sequence[Fraction]) -> list[int]:
    """Whole øre per share whose sum is the exact total rounded once (half away from
    zero): each share rounded down, the øre left to the largest remainders (the earliest
    share first on a tie)."""
    total = round_ore(sum(exact, Fraction(0)))
    shares = [math.floor(x) for x in exact]
    left = total - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares


def commissions(rate: Fraction, amounts: Sequence[Mapping[Component, int]]) -> list[int]:
    """Each line's commission: per kind, the settlement's total rounded once, apportioned."""
    per_line = [0] * len(amounts)
    for kind in COMMISSION_KINDS:
        shares = apportion([rate * a.get(kind, 0) for a in amounts])
        per_line = [have + share for have, share in zip(per_line, shares, strict=True)]
    return per_line


def draft_settlement(
    creditor_id: uuid.UUID,
    period_end: date,
    collected: Sequence[Collected],
    charges: Sequence[CreditReportCharge],
    commission_percent: Decimal,
) -> SettlementDraft | None:
    """The settlement of what was collected; None when there is nothing to settle (or the
    period's reversals outweigh it: then it waits for the next period)."""
    rate = Fraction(commission_percent) / 100
    items = sorted(collected, key=lambda c: (c.value_date, c.allocation_id))
    commission = commissions(rate, [item.amounts for item in items])
    lines = []
    for item, line_commission in zip(items, commission, strict=True):
        amounts = item.amounts
        lines.append(
            SettlementLine(
                allocation_id=item.allocation_id,
                payment_id=item.payment_id,
                case_id=item.case_id,
                value_date=item.value_date,
                principal_ore=amounts.get(Component.PRINCIPAL, 0),
                interest_ore=amounts.get(Component.INTEREST, 0),
                reminder_fees_ore=amounts.get(Component.REMINDER_FEES, 0),
                agency_fees_ore=amounts.get(Component.COLLECTION_FEES, 0)
                + amounts.get(Component.COURT_FEES, 0),
                commission_ore=line_commission,
            )
        )
    net = sum(line.net_ore for line in lines)
    if net < 0 or sum(line.agency_fees_ore for line in lines) < 0:
        return None
    deducted: list[CreditReportCharge] = []
    room = net
    for charge in sorted(charges, key=lambda c: (c.purchased_on, str(c.charge_id))):
        if charge.amount_ore <= room:
            deducted.append(charge)
            room -= charge.amount_ore
    if not lines and not deducted:
        return None
    return SettlementDraft(creditor_id, period_end, tuple(lines), tuple(deducted))
