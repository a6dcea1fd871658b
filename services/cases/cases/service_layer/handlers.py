"""Handlers of the cases service.

They take the repository as a port (:class:`Creditors`), so that an event consumer can
run them on its own transaction and unit tests on an in-memory fake.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cases.domain.model import Creditor, is_creditor

log = logging.getLogger(__name__)


class Creditors(Protocol):
    async def upsert_registration(self, creditor: Creditor) -> None: ...

    async def deactivate(self, organisation_id: uuid.UUID) -> bool: ...


@dataclass(frozen=True)
class RecordOrganisationRegistered:
    organisation_id: uuid.UUID
    kind: str
    name: str
    organisation_number: str
    registered_at: datetime


@dataclass(frozen=True)
class RecordOrganisationDeactivated:
    organisation_id: uuid.UUID


async def record_organisation_registered(
    cmd: RecordOrganisationRegistered, creditors: Creditors
) -> Creditor | None:
    """A registered creditor client becomes a creditor cases can be registered for.

    The agency's own organisation is not a creditor and is left out. Applying the same
    registration again changes nothing.
    """
    if not is_creditor(cmd.kind):
        return None
    creditor = Creditor(
        organisation_id=cmd.organisation_id,
        name=cmd.name,
        organisation_number=cmd.organisation_number,
        registered_at=cmd.registered_at,
    )
    await creditors.upsert_registration(creditor)
    return creditor


async def record_organisation_deactivated(
    cmd: RecordOrganisationDeactivated, creditors: Creditors
) -> bool:
    """No new cases for a deactivated creditor; its existing cases stay as they are."""
    found = await creditors.deactivate(cmd.organisation_id)
    if not found:  # the agency (not a creditor here), or a registration not yet applied
        log.info(
            "no creditor for the deactivated organisation; nothing to do",
            extra={"organisation_id": str(cmd.organisation_id)},
        )
    return found
