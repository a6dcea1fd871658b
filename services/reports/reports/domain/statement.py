"""The settlement statement (avregningsbilag): the ledger's settlement, line by line, with
what each payment was split into, the VAT on the agency's share and the net paid out.

The money is the ledger's: every line's amounts and the settlement's totals come from
``ledger.settlement.completed``; this module adds only what a sales document must show
besides (bokføringsforskriften § 5-1-1), the VAT on the agency's consideration, under one
documented rule (:func:`line_vat`), and checks that the statement's totals equal the
ledger's to the øre (:func:`Statement.check_against`).

VAT rule (merverdiavgift, 25 %). The agency's consideration for the assignment is the
inkassosalær (and inkassovarsel fee) it collected and its commission; court fees and
outlays are refunds of money advanced and carry no VAT.

- A creditor that deducts input VAT (salær tabell 1/3): the debtor paid the salær without
  VAT, so the VAT is 25 % of salær + commission, charged to the creditor.
- A creditor that does not (tabell 2/4): the salær the debtor paid had the VAT added, so
  its VAT is the 25/125 contained in it; the commission's VAT is 25 % on top.

VAT is rounded per line, halves up; the statement's VAT is the sum of its lines. The
ledger does not withhold the VAT from the payout (the payout is the creditor's share less
commission and credit-report charges); the statement shows it as invoiced beside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from reports.domain.money import round_half_up

VAT_PERCENT = 25


class StatementMismatch(ValueError):
    """The lines do not add up to the ledger's settlement totals: refuse to issue."""


def line_vat(*, collection_fees_ore: int, commission_ore: int, vat_deductible: bool) -> int:
    """The VAT on one line's agency consideration (see the module's rule)."""
    rate = Fraction(VAT_PERCENT, 100)
    if vat_deductible:
        return round_half_up(rate * (collection_fees_ore + commission_ore))
    contained = Fraction(VAT_PERCENT, 100 + VAT_PERCENT) * collection_fees_ore
    return round_half_up(contained + rate * commission_ore)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One payment allocation on one case, as the statement prints it."""

    line_id: int
    case_id: uuid.UUID
    case_number: str
    creditor_reference: str
    payment_id: uuid.UUID | None
    value_date: date
    principal_ore: int
    interest_ore: int
    reminder_fees_ore: int
    collection_fees_ore: int
    court_fees_ore: int
    commission_ore: int
    net_ore: int
    vat_ore: int

    @property
    def paid_ore(self) -> int:
        """What the debtor paid (this allocation of it), before the split."""
        return (
            self.principal_ore
            + self.interest_ore
            + self.reminder_fees_ore
            + self.collection_fees_ore
            + self.court_fees_ore
        )

    @property
    def creditor_share_ore(self) -> int:
        return self.principal_ore + self.interest_ore + self.reminder_fees_ore


@dataclass(frozen=True, slots=True)
class LedgerTotals:
    """The ledger's settlement totals a statement must equal."""

    collected_ore: int
    commission_ore: int
    credit_report_charges_ore: int
    agency_fees_ore: int
    payout_ore: int
    line_count: int


@dataclass(frozen=True, slots=True)
class Totals:
    paid_ore: int
    principal_ore: int
    interest_ore: int
    reminder_fees_ore: int
    collection_fees_ore: int
    court_fees_ore: int
    commission_ore: int
    vat_ore: int
    net_ore: int
    credit_report_charges_ore: int
    payout_ore: int

    @property
    def creditor_share_ore(self) -> int:
        return self.principal_ore + self.interest_ore + self.reminder_fees_ore

    @property
    def agency_consideration_ore(self) -> int:
        """What the agency charges for the assignment (the VAT base): salær and commission."""
        return self.collection_fees_ore + self.commission_ore


@dataclass(frozen=True, slots=True)
class Statement:
    """A settlement's statement: its lines and their totals."""

    lines: tuple[StatementLine, ...]
    credit_report_charges_ore: int
    vat_deductible: bool

    @property
    def totals(self) -> Totals:
        lines = self.lines
        net = sum(x.net_ore for x in lines)
        return Totals(
            paid_ore=sum(x.paid_ore for x in lines),
            principal_ore=sum(x.principal_ore for x in lines),
            interest_ore=sum(x.interest_ore for x in lines),
            reminder_fees_ore=sum(x.reminder_fees_ore for x in lines),
            collection_fees_ore=sum(x.collection_fees_ore for x in lines),
            court_fees_ore=sum(x.court_fees_ore for x in lines),
            commission_ore=sum(x.commission_ore for x in lines),
            vat_ore=sum(x.vat_ore for x in lines),
            net_ore=net,
            credit_report_charges_ore=self.credit_report_charges_ore,
            payout_ore=net - self.credit_report_charges_ore,
        )

    def check_against(self, ledger: LedgerTotals) -> None:
        """Raise :class:`StatementMismatch` unless the totals are the ledger's to the øre."""
        totals = self.totals
        pairs = {
            "line_count": (len(self.lines), ledger.line_count),
            "collected_ore": (totals.creditor_share_ore, ledger.collected_ore),
            "commission_ore": (totals.commission_ore, ledger.commission_ore),
            "agency_fees_ore": (
                totals.collection_fees_ore + totals.court_fees_ore,
                ledger.agency_fees_ore,
            ),
            "credit_report_charges_ore": (
                totals.credit_report_charges_ore,
                ledger.credit_report_charges_ore,
            ),
            "payout_ore": (totals.payout_ore, ledger.payout_ore),
        }
        wrong = sorted(name for name, (ours, theirs) in pairs.items() if ours != theirs)
        if wrong:
            raise StatementMismatch(f"statement totals differ from the ledger's: {wrong}")
        for line in self.lines:
            if line.net_ore != line.creditor_share_ore - line.commission_ore:
                raise StatementMismatch(f"line {line.line_id}: net is not share less commission")


def statement_of(
    lines: Sequence[StatementLine], *, credit_report_charges_ore: int, vat_deductible: bool
) -> Statement:
    """The statement of lines in print order: by value date, case number, then line."""
    ordered = sorted(lines, key=lambda x: (x.value_date, x.case_number, x.line_id))
    return Statement(tuple(ordered), credit_report_charges_ore, vat_deductible)


@dataclass(frozen=True, slots=True)
class StatementHeader:
    """What the statement says besides its lines (bokføringsforskriften § 5-1-1)."""

    agency_name: str
    agency_organisation_number: str
    creditor_name: str
    creditor_organisation_number: str
    number: str
    issued_on: date
    period_start: date
    period_end: date
    settlement_number: str
    payout_date: date | None
    client_account: str | None
    payout_account: str | None
