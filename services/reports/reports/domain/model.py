"""Organisations as reports see them: a read model (projection) of the identity service's
organisations, the creditor clients and the agency itself, kept from its events.

Reports group and label figures by organisation, so the projection keeps every kind and
the descriptive fields a report prints (name, organisation number).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

ORGANISATION_KINDS = frozenset({"creditor", "agency"})


@dataclass(frozen=True)
class Organisation:
    """One organisation in the reports' read model."""

    organisation_id: uuid.UUID
    name: str
    organisation_number: str
    kind: str
    registered_at: datetime
    active: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ORGANISATION_KINDS:
            raise ValueError(f"unknown organisation kind {self.kind!r}")
        if self.registered_at.tzinfo is None:
            raise ValueError("registered_at must be timezone-aware")
