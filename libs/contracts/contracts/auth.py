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


@event_model
class UserRegistered(EventData):
    """A user became active: completed their invitation, or was reactivated.

    Ids and roles only: no e-mail address or name (consumers that must show a name ask the
    identity service).
    """

    event_type = "auth.user.registered"

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    roles: list[str] = Field(
        min_length=1,
        description=(
            "The user's roles: creditor, creditor_admin (creditor organisations), "
            "case_handler, agency_admin (the agency). New roles may appear: ignore unknown ones."
        ),
    )


@event_model
class UserDeactivated(EventData):
    """A user was deactivated: every session ended and they can no longer sign in."""

    event_type = "auth.user.deactivated"

    user_id: uuid.UUID
    organisation_id: uuid.UUID
