"""The reports consumer projects the identity service's organisation events, exactly once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationKind, OrganisationRegistered
from reports.adapters.orm import organisations
from reports.bootstrap import ReportsService
from servicekit.testing.bus import running_consumers
from servicekit.testing.data import organisation_number, unique_name
from sqlalchemy import select

pytestmark = pytest.mark.integration


async def organisation_rows(
    service: ReportsService, organisation_id: uuid.UUID
) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        result = await session.execute(
            select(organisations).where(organisations.c.organisation_id == organisation_id)
        )
        return [dict(row) for row in result.mappings()]


def registration(kind: OrganisationKind = "creditor") -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=uuid.uuid4(),
        kind=kind,
        name=unique_name(),
        organisation_number=organisation_number(),
    )


@pytest.mark.parametrize("kind", ["creditor", "agency"])
async def test_registered_then_deactivated_organisation_applied_once(
    service: ReportsService, kind: OrganisationKind
) -> None:
    event = registration(kind)
    registered = Envelope.wrap(event)

    async with running_consumers(service) as run:
        await run.publish(registered, times=2)  # the second is a redelivery
        await run.wait_for(
            lambda: organisation_rows(service, event.organisation_id),
            what="the organisation to appear",
        )
        await run.settled(handled=1, duplicate=1)  # and the redelivery recognised

        assert await organisation_rows(service, event.organisation_id) == [
            {
                "organisation_id": event.organisation_id,
                "name": event.name,
                "organisation_number": event.organisation_number,
                "kind": kind,
                "active": True,
                "registered_at": registered.occurred_at,
            }
        ]
        assert await run.inbox_count(registered.event_id) == 1

        deactivated = Envelope.wrap(OrganisationDeactivated(organisation_id=event.organisation_id))
        await run.publish(deactivated)

        async def inactive() -> bool:
            rows = await organisation_rows(service, event.organisation_id)
            return len(rows) == 1 and rows[0]["active"] is False

        await run.wait_for(inactive, what="the organisation to be marked inactive")
        await run.settled(handled=2)
        assert await run.inbox_count(deactivated.event_id) == 1
        assert run.outcomes()["retried"] == 0


async def test_a_deactivation_that_overtakes_its_registration_is_retried_until_it_applies(
    service: ReportsService,
) -> None:
    event = registration()
    deactivated = Envelope.wrap(OrganisationDeactivated(organisation_id=event.organisation_id))

    async with running_consumers(service) as run:
        await run.publish(deactivated)
        await run.settled(retried=1)
        assert await organisation_rows(service, event.organisation_id) == []
        assert await run.inbox_count(deactivated.event_id) == 0  # refused: claim rolled back

        await run.publish(Envelope.wrap(event))

        async def inactive() -> bool:
            rows = await organisation_rows(service, event.organisation_id)
            return len(rows) == 1 and rows[0]["active"] is False

        await run.wait_for(inactive, what="the retried deactivation to apply")
        assert await run.inbox_count(deactivated.event_id) == 1
        assert run.outcomes()["dead_lettered"] == 0


async def test_a_registration_under_a_new_event_id_is_idempotent_by_itself(
    service: ReportsService,
) -> None:
    """Without the inbox's help (a new event id), the upsert still leaves one row,
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

    rows = await organisation_rows(service, event.organisation_id)
    assert len(rows) == 1
    assert rows[0]["active"] is False
