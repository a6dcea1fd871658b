"""The case statement (saksoppstilling): a case as of a date, what a creditor or a debtor
asks for: the claims handed over, every payment up to the date and how it was split, and
what is outstanding as the ledger had booked it on that date (principal, interest, costs).

Interest accrues daily beyond what is booked; the statement says as of which booking its
balance is, and the interest by rate period is the ledger's (not in the events yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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

    @property
    def principal_ore(self) -> int:
        return sum(c.principal_ore for c in self.claims)

    @property
    def paid_ore(self) -> int:
        return sum(p.amount_ore for p in self.payments)


def case_statement_number(case_number: str, as_of: date) -> str:
    """``100017-20260331``: one statement per case and date."""
    return f"{case_number}-{as_of:%Y%m%d}"
