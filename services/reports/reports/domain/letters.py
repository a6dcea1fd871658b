"""Letters to the debtor: the inkassovarsel (inkassoloven § 9) and the betalingsoppfordring
(inkassoloven § 10), and the content the law requires of them (docs/reports.md, «Letters»).

The workflow in the cases service decides when a letter goes and its deadline; this module
holds what a letter says and refuses a letter that lacks what the law requires
(:func:`check_required_content`), so that no incomplete letter is ever issued or posted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from reports.domain.case_statement import StatementClaim
from reports.domain.order_confirmation import Party

LetterKind = Literal["inkassovarsel", "betalingsoppfordring"]

MINIMUM_DEADLINE = timedelta(days=14)
"""Both letters give at least 14 days from the day they are sent (§ 9 first paragraph,
§ 10 first paragraph)."""

TITLES: dict[LetterKind, str] = {
    "inkassovarsel": "Inkassovarsel",
    "betalingsoppfordring": "Betalingsoppfordring",
}


class LetterIncomplete(ValueError):
    """A letter lacks content the law requires: it is not issued (the event is retried and
    ends in the dead-letter queue for ops, never posted incomplete)."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """The debtor as the letter is addressed."""

    name: str
    address_lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str

    @property
    def postal_lines(self) -> tuple[str, ...]:
        """The address block: name, street lines, postal code and city (and the country
        when it is not Norway)."""
        place = f"{self.postal_code} {self.city}".strip()
        tail = () if self.country == "NO" else (self.country,)
        return (self.name, *self.address_lines, place, *tail)


@dataclass(frozen=True, slots=True)
class Amounts:
    """What the debtor owes as the letter states it, each part apart (§ 10 (c))."""

    principal_ore: int
    interest_ore: int
    costs_ore: int

    @property
    def total_ore(self) -> int:
        return self.principal_ore + self.interest_ore + self.costs_ore


@dataclass(frozen=True, slots=True)
class DebtorLetter:
    """One letter to a debtor, with everything it prints."""

    letter_id: uuid.UUID
    kind: LetterKind
    agency: Party
    creditor: Party
    case_number: str
    creditor_reference: str
    kid: str
    pay_to_account: str
    recipient: Recipient
    sent_on: date
    deadline: date
    claims: tuple[StatementClaim, ...]
    amounts: Amounts
    amounts_as_of: date | None
    """The date the ledger booked the amounts on (``None``: only the claims are known)."""
    interest_from: date
    """The earliest due date: forsinkelsesrente runs from it (§ 10 (d))."""
    interest_rate_percent: Decimal | None
    """The forsinkelsesrente per year in force on ``sent_on``, as the ledger stated it
    (§ 10 (d)); ``None``: not known yet, and the letter is held until it is."""

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    @property
    def number(self) -> str:
        """``100017-IV-20260105``: one letter of a kind per case and day."""
        code = "IV" if self.kind == "inkassovarsel" else "BO"
        return f"{self.case_number}-{code}-{self.sent_on:%Y%m%d}"


def check_required_content(letter: DebtorLetter) -> None:
    """Refuse a letter that lacks what inkassoloven §§ 9 and 10 require of it."""
    missing: list[str] = []
    if not letter.creditor.name:
        missing.append("creditor name (§ 10 (a))")
    if not letter.claims:
        missing.append("what the claim is for (§ 10 (b))")
    if letter.amounts.principal_ore <= 0:
        missing.append("the amount (§ 10 (c))")
    if letter.interest_rate_percent is None:
        missing.append("the interest rate (§ 10 (d))")
    if letter.deadline - letter.sent_on < MINIMUM_DEADLINE:
        missing.append("a deadline of at least 14 days (§§ 9, 10)")
    if not letter.recipient.name or not letter.recipient.address_lines:
        missing.append("the debtor's name and address")
    if not letter.kid or not letter.pay_to_account:
        missing.append("how to pay (KID and account)")
    if missing:
        raise LetterIncomplete("; ".join(missing))


def letter_amounts(principal_ore: int, booked: tuple[int, int, int] | None) -> Amounts:
    """The amounts a letter states: as the ledger last stated them on or before the day it
    is sent (principal and costs as booked; interest accrued and unpaid through that
    balance's day when the ledger stated it, else as booked), else the claims' principal
    alone."""
    if booked is None:
        return Amounts(principal_ore=principal_ore, interest_ore=0, costs_ore=0)
    principal, interest, costs = booked
    return Amounts(principal_ore=principal, interest_ore=interest, costs_ore=costs)
