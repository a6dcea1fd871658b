"""The order confirmation (ordrebekreftelse): the agency's receipt for a registration batch.

It names the agency and the creditor, when the batch was registered and through which
channel, and for each case our case number, the creditor's reference, the debtor's name,
the principal, the earliest due date and the KID; rows that were refused are listed apart
with the fields that were wrong, so the creditor can correct and send them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

MAX_LISTED_CASES = 2000
"""The PDF lists this many cases; a bigger batch's full list is the CSV inside the PDF."""


@dataclass(frozen=True, slots=True)
class Party:
    """The agency or a creditor as a document names it."""

    name: str
    organisation_number: str


@dataclass(frozen=True, slots=True)
class ConfirmedCase:
    case_number: str
    creditor_reference: str
    debtor_name: str
    principal_ore: int
    due_date: date
    kid: str


@dataclass(frozen=True, slots=True)
class RefusedRow:
    row: int
    creditor_reference: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrderConfirmation:
    agency: Party
    creditor: Party
    batch_number: str
    channel: str
    registered_at: datetime
    cases: tuple[ConfirmedCase, ...]
    refused: tuple[RefusedRow, ...]
    refused_count: int

    @property
    def principal_total_ore(self) -> int:
        return sum(c.principal_ore for c in self.cases)

    @property
    def listed_cases(self) -> tuple[ConfirmedCase, ...]:
        return self.cases[:MAX_LISTED_CASES]
