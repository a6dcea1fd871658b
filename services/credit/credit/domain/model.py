"""Creditors as the credit service sees them: the owners of price lists.

A creditor client buys credit reports at the prices of its own price list; the identity
service announces the creditor, and this service keeps what it needs to price and
attribute purchases.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

CREDITOR_KIND = "creditor"
"""The organisation kind that is a client of the agency (the agency itself is not)."""


def buys_credit_reports(kind: str) -> bool:
    """Creditor clients buy credit reports on their own price list; the agency does not."""
    return kind == CREDITOR_KIND


@dataclass(frozen=True)
class Creditor:
    """A creditor client that owns a price list; an inactive one buys no more reports."""

    organisation_id: uuid.UUID
    name: str
    active: bool = True
    organisation_number: str | None = None
    """Sent to the bureau as the end user: the orderer the copy letter names."""
