"""The case statement (saksoppstilling): a case as of a date, what a creditor or a debtor
asks for: the claims handed over, the forsinkelsesrente by rate period, every payment up to
the date and how it was split, and what is outstanding (principal, interest, costs).

Every amount is the ledger's, from its newest balance event effective on or before the
date: the interest by rate period and what of it is outstanding are what the ledger
computed through that event's day (``InterestStatement``); nothing is computed here.
A balance from a producer that sent no interest is shown as booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reports.domain.order_confirmation import Party


@dataclass(frozen=True, slots=True)
class StatementClaim:
    invoice_number: str
    invoice_date: date
    due_date: date
    principal_ore: int


@dataclass(frozen=True, slots=True)
class StatementPayment:
    value_date: date
    amount_ore: int
    principal_ore: int
    interest_ore: int
    costs_ore: int
    overpaid_ore: int


@dataclass(frozen=True, slots=True)
class BookedBalance:
    effective_date: date
    principal_ore: int
    interest_ore: int
    costs_ore: int
    balance_ore: int


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """Forsinkelsesrente over days ``first``..``last`` on one principal at one rate."""

    first: date
    last: date
    days: int
    principal_ore: int
    rate_percent: Decimal
    interest_ore: int


@dataclass(frozen=True, slots=True)
class InterestStatement:
    """The ledger's interest on the case through ``through``, booked or not: accrued by rate
    period (the periods sum to ``accrued_ore``), outstanding, and the balance with it."""

    through: date
    accrued_ore: int
    outstanding_ore: int
    balance_ore: int
    periods: tuple[InterestPeriod, ...]


@dataclass(frozen=True, slots=True)
class CaseStatement:
    agency: Party
    creditor: Party
    case_number: str
    creditor_reference: str
    kid: str
    debtor_name: str
    status: str
    as_of: date
    claims: tuple[StatementClaim, ...]
    payments: tuple[StatementPayment, ...]
    balance: BookedBalance | None
    interest: InterestStatement | None = None
    """From the same balance event as ``balance`` (``None``: the ledger sent none)."""

    @property
    def principal_ore(self) -> int:
        return sum(c.principal_ore for c in self.claims)

    @property
    def paid_ore(self) -> int:
        return sum(p.amount_ore for p in self.payments)


def case_statement_number(case_number: str, as_of: date) -> str:
    """``100017-20260331``: one statement per case and date."""
    return f"{case_number}-{as_of:%Y%m%d}"
