"""Event handlers of the reports service: envelope → command → service layer.

Each runs inside the consumer's transaction, together with the inbox claim.
"""

from __future__ import annotations

from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.repository import OrganisationRepository
from reports.service_layer import handlers


async def organisation_registered(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.registered.v1``: the organisation enters the read model."""
    event = envelope.payload(OrganisationRegistered)
    await handlers.project_organisation_registered(
        handlers.ProjectOrganisationRegistered(
            organisation_id=event.organisation_id,
            kind=event.kind,
            name=event.name,
            organisation_number=event.organisation_number,
            registered_at=envelope.occurred_at,
        ),
        OrganisationRepository(session),
    )


async def organisation_deactivated(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.deactivated.v1``: the organisation is marked inactive."""
    event = envelope.payload(OrganisationDeactivated)
    await handlers.project_organisation_deactivated(
        handlers.ProjectOrganisationDeactivated(organisation_id=event.organisation_id),
        OrganisationRepository(session),
    )
