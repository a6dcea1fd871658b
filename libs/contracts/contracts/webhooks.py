"""Events produced by the webhooks service (``services/webhooks``)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime

from contracts.envelope import EventData
from contracts.registry import event_model


@event_model
class EndpointDisabled(EventData):
    """A creditor's webhook endpoint was disabled by the sender, not by a person: it
    answered ``410 Gone``, or it failed every delivery for days.

    Ids only: the identity service (which owns the addresses) may mail the organisation's
    admins that something needs their attention, with a link to the portal's «Webhooks».
    """

    event_type = "webhooks.endpoint.disabled"

    endpoint_id: uuid.UUID
    organisation_id: uuid.UUID
    reason: Literal["gone", "failing"]
    disabled_at: AwareDatetime
