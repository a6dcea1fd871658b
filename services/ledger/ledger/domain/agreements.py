"""What a creditor agreed with the agency (oppdragsavtale), as far as the ledger needs it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from stdnum import iban
from stdnum.exceptions import ValidationError
from stdnum.no import kontonr

from ledger.domain.components import DEFAULT_ORDER, Component, expand_order


class InvalidAgreement(ValueError):
    """An agreement the ledger cannot work with; ``field`` names what is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def normalise_account(account: str) -> str:
    """A Norwegian account number (11 digits) or an IBAN, compact; raises if invalid."""
    compact = account.replace(" ", "").replace(".", "").upper()
    try:
        if compact.isdigit():
            return str(kontonr.validate(compact))
        return str(iban.validate(compact))
    except ValidationError as exc:
        raise InvalidAgreement("payout_account", "not a valid account number or IBAN") from exc


@dataclass(frozen=True, slots=True)
class CreditorAgreement:
    creditor_id: uuid.UUID
    allocation_order: tuple[str, ...] = DEFAULT_ORDER
    commission_percent: Decimal = Decimal(0)
    vat_deductible: bool = True
    claims_standardkompensasjon: bool = False
    """Claim standardkompensasjon on business-to-business claims (forsinkelsesrenteloven
    § 3a, ADR 0056); it comes off the agency's collection costs."""
    payout_account: str | None = None
    payout_name: str | None = None

    def __post_init__(self) -> None:
        try:
            expand_order(self.allocation_order)
        except ValueError as exc:
            raise InvalidAgreement("allocation_order", str(exc)) from exc
        if not Decimal(0) <= self.commission_percent <= Decimal(100):
            raise InvalidAgreement("commission_percent", "must be between 0 and 100")

    @property
    def order(self) -> tuple[Component, ...]:
        return expand_order(self.allocation_order)
