"""Handlers of the credit service.

They take the repository as a port (:class:`Creditors`), so that an event consumer can
run them on its own transaction and unit tests on an in-memory fake.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

from credit.domain.model import Creditor, buys_credit_reports

log = logging.getLogger(__name__)


class Creditors(Protocol):
    async def upsert_registration(self, creditor: Creditor) -> None: ...

    async def deactivate(self, organisation_id: uuid.UUID) -> bool: ...


@dataclass(frozen=True)
class RecordOrganisationRegistered:
    organisation_id: uuid.UUID
    kind: str
    name: str
    organisation_number: str | None = None


@dataclass(frozen=True)
class RecordOrganisationDeactivated:
    organisation_id: uuid.UUID


async def record_organisation_registered(
    cmd: RecordOrganisationRegistered, creditors: Creditors
) -> Creditor | None:
    """A registered creditor client becomes a creditor that can own a price list.

    The agency's own organisation buys no credit reports and is left out. Applying the
    same registration again changes nothing.
    """
    if not buys_credit_reports(cmd.kind):
        return None
    creditor = Creditor(
        organisation_id=cmd.organisation_id,
        name=cmd.name,
        organisation_number=cmd.organisation_number,
    )
    await creditors.upsert_registration(creditor)
    return creditor


async def record_organisation_deactivated(
    cmd: RecordOrganisationDeactivated, creditors: Creditors
) -> bool:
    """A deactivated creditor buys no more credit reports; its purchases stay on record."""
    found = await creditors.deactivate(cmd.organisation_id)
    if not found:  # the agency (not a creditor here), or a registration not yet applied
        log.info(
            "no creditor for the deactivated organisation; nothing to do",
            extra={"organisation_id": str(cmd.organisation_id)},
        )
    return found
