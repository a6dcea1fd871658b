"""Creditor accounts: the ledger's holder of each creditor's client funds (klientmidler).

Money collected for a creditor is client funds held on the creditor's behalf until it is
settled (avregning) and paid out. The ledger keeps one account holder per creditor client,
opened when the identity service announces the creditor. The holder keeps no name or
other organisation data: the ledger needs only the organisation's id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

CREDITOR_KIND = "creditor"
"""The organisation kind that is a client of the agency (the agency itself is not)."""


def holds_client_funds(kind: str) -> bool:
    """Only creditor clients have client funds held for them; the agency does not."""
    return kind == CREDITOR_KIND


@dataclass(frozen=True)
class CreditorAccount:
    """The holder of one creditor's client funds.

    A deactivated creditor's account stays (bookkeeping is retained for five years) but
    is inactive: nothing new is booked for it.
    """

    organisation_id: uuid.UUID
    opened_at: datetime
    active: bool = True

    def __post_init__(self) -> None:
        if self.opened_at.tzinfo is None:
            raise ValueError("opened_at must be timezone-aware")
