"""The credit consumer applies the identity service's organisation events, exactly once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationKind, OrganisationRegistered
from credit.adapters.orm import creditors
from credit.bootstrap import CreditService
from servicekit.testing.bus import running_consumers
from servicekit.testing.data import organisation_number, unique_name
from sqlalchemy import select

pytestmark = pytest.mark.integration


async def creditor_rows(service: CreditService, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        result = await session.execute(
            select(creditors).where(creditors.c.organisation_id == organisation_id)
        )
        return [dict(row) for row in result.mappings()]


def registration(kind: OrganisationKind = "creditor") -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=uuid.uuid4(),
        kind=kind,
        name=unique_name(),
        organisation_number=organisation_number(),
    )


async def test_registered_then_deactivated_creditor_applied_once(service: CreditService) -> None:
    event = registration()
    registered = Envelope.wrap(event)

    async with running_consumers(service) as run:
        await run.publish(registered, times=2)  # the second is a redelivery
        await run.wait_for(
            lambda: creditor_rows(service, event.organisation_id), what="the creditor to appear"
        )
        await run.settled(handled=1, duplicate=1)  # and the redelivery recognised

        assert await creditor_rows(service, event.organisation_id) == [
            {
                "organisation_id": event.organisation_id,
                "name": event.name,
                "active": True,
                "organisation_number": event.organisation_number,
            }
        ]
        assert await run.inbox_count(registered.event_id) == 1

        deactivated = Envelope.wrap(OrganisationDeactivated(organisation_id=event.organisation_id))
        await run.publish(deactivated)

        async def inactive() -> bool:
            rows = await creditor_rows(service, event.organisation_id)
            return len(rows) == 1 and rows[0]["active"] is False

        await run.wait_for(inactive, what="the creditor to be deactivated")
        await run.settled(handled=2)
        assert await run.inbox_count(deactivated.event_id) == 1
        assert run.outcomes()["retried"] == 0
        assert run.outcomes()["dead_lettered"] == 0


async def test_a_registration_under_a_new_event_id_is_idempotent_by_itself(
    service: CreditService,
) -> None:
    """Without the inbox's help (a new event id), the upsert still leaves one creditor,
    and a registration applied after the deactivation does not reactivate it."""
    event = registration()

    async with running_consumers(service) as run:
        await run.publish(Envelope.wrap(event))
        await run.settled(handled=1)
        await run.publish(
            Envelope.wrap(OrganisationDeactivated(organisation_id=event.organisation_id))
        )
        await run.settled(handled=2)
        await run.publish(Envelope.wrap(event))
        await run.settled(handled=3)

    assert await creditor_rows(service, event.organisation_id) == [
        {
            "organisation_id": event.organisation_id,
            "name": event.name,
            "active": False,
            "organisation_number": event.organisation_number,
        }
    ]


async def test_the_agency_is_not_recorded_as_a_creditor(service: CreditService) -> None:
    event = registration(kind="agency")
    envelope = Envelope.wrap(event)

    async with running_consumers(service) as run:
        await run.publish(envelope)
        await run.settled(handled=1)
        assert await run.inbox_count(envelope.event_id) == 1

    assert await creditor_rows(service, event.organisation_id) == []
