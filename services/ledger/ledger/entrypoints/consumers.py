"""Event handlers of the ledger service: envelope → command → service layer.

Each runs inside the consumer's transaction, together with the inbox claim.
"""

from __future__ import annotations

from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationRegistered
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.repository import CreditorAccountRepository
from ledger.service_layer import handlers


async def organisation_registered(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.registered.v1``: open the creditor's client-funds account."""
    event = envelope.payload(OrganisationRegistered)
    await handlers.open_creditor_account(
        handlers.OpenCreditorAccount(
            organisation_id=event.organisation_id,
            kind=event.kind,
            registered_at=envelope.occurred_at,
        ),
        CreditorAccountRepository(session),
    )


async def organisation_deactivated(session: AsyncSession, envelope: Envelope) -> None:
    """``auth.organisation.deactivated.v1``: nothing new is booked for that creditor."""
    event = envelope.payload(OrganisationDeactivated)
    await handlers.deactivate_creditor_account(
        handlers.DeactivateCreditorAccount(organisation_id=event.organisation_id),
        CreditorAccountRepository(session),
    )
