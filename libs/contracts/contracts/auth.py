"""Events produced by the identity service (``services/auth``)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from contracts.envelope import EventData
from contracts.registry import event_model

OrganisationKind = Literal["creditor", "agency"]


@event_model
class OrganisationRegistered(EventData):
    """An organisation (a creditor client or the agency itself) was registered."""

    event_type = "auth.organisation.registered"

    organisation_id: uuid.UUID
    kind: OrganisationKind
    name: str = Field(max_length=200)
    organisation_number: str = Field(
        pattern=r"^\d{9}$", description="Norwegian organisasjonsnummer, 9 digits"
    )


@event_model
class OrganisationDeactivated(EventData):
    """An organisation was deactivated; its users can no longer sign in."""

    event_type = "auth.organisation.deactivated"

    organisation_id: uuid.UUID
