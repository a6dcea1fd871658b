"""Handlers of the reports service (projections of other services' events).

They take the repository as a port (:class:`Organisations`), so that an event consumer
can run them on its own transaction and unit tests on an in-memory fake.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from reports.domain.errors import OrganisationNotInReadModel
from reports.domain.model import Organisation


class Organisations(Protocol):
    async def upsert_registration(self, organisation: Organisation) -> None: ...

    async def deactivate(self, organisation_id: uuid.UUID) -> bool: ...


@dataclass(frozen=True)
class ProjectOrganisationRegistered:
    organisation_id: uuid.UUID
    kind: str
    name: str
    organisation_number: str
    registered_at: datetime


@dataclass(frozen=True)
class ProjectOrganisationDeactivated:
    organisation_id: uuid.UUID


async def project_organisation_registered(
    cmd: ProjectOrganisationRegistered, organisations: Organisations
) -> Organisation:
    """Every registered organisation, of either kind, enters the read model."""
    organisation = Organisation(
        organisation_id=cmd.organisation_id,
        name=cmd.name,
        organisation_number=cmd.organisation_number,
        kind=cmd.kind,
        registered_at=cmd.registered_at,
    )
    await organisations.upsert_registration(organisation)
    return organisation


async def project_organisation_deactivated(
    cmd: ProjectOrganisationDeactivated, organisations: Organisations
) -> None:
    """A deactivated organisation stays in reports (its history does), marked inactive.

    The read model holds every organisation, so an unknown one means that its
    registration has not been applied yet (it is being retried): refuse the deactivation
    so that it is retried too, rather than lose it. If its registration never comes, the
    deactivation ends up in the dead-letter queue, where ops can see and replay it.
    """
    if not await organisations.deactivate(cmd.organisation_id):
        raise OrganisationNotInReadModel(cmd.organisation_id)
