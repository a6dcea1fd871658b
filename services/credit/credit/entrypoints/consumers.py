"""Event handlers of the credit service: envelope → command → service layer.

Each runs inside the consumer's transaction, together with the inbox claim.
"""

from __future__ import annotations

from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from sqlalchemy.ext.asyncio import AsyncSession

from credit.adapters.repository import CreditorRepository
from credit.service_layer import handlers


async def organisation_registered(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.registered.v1``: a creditor that can own a price list."""
    event = envelope.payload(OrganisationRegistered)
    await handlers.record_organisation_registered(
        handlers.RecordOrganisationRegistered(
            organisation_id=event.organisation_id,
            kind=event.kind,
            name=event.name,
            organisation_number=event.organisation_number,
        ),
        CreditorRepository(session),
    )


async def organisation_deactivated(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.deactivated.v1``: that creditor buys no more credit reports."""
    event = envelope.payload(OrganisationDeactivated)
    await handlers.record_organisation_deactivated(
        handlers.RecordOrganisationDeactivated(organisation_id=event.organisation_id),
        CreditorRepository(session),
    )
