"""Creditors (oppdragsgivere): the organisations cases can be registered for.

The identity service owns organisations; this service keeps the part it needs to accept
and scope cases, learnt from the identity service's events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

CREDITOR_KIND = "creditor"
"""The organisation kind that is a client of the agency (the agency itself is not)."""


def is_creditor(kind: str) -> bool:
    """Only creditor clients have cases registered for them; the agency does not."""
    return kind == CREDITOR_KIND


@dataclass(frozen=True)
class Creditor:
    """A creditor client cases can be registered for, while it is active."""

    organisation_id: uuid.UUID
    name: str
    organisation_number: str
    registered_at: datetime
    active: bool = True

    def __post_init__(self) -> None:
        if self.registered_at.tzinfo is None:
            raise ValueError("registered_at must be timezone-aware")
