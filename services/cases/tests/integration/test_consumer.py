"""The cases consumer applies the identity service's organisation events, exactly once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from cases.adapters.orm import creditors
from cases.bootstrap import CasesService
from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationKind, OrganisationRegistered
from servicekit.testing.bus import running_consumers
from servicekit.testing.data import organisation_number, unique_name
from sqlalchemy import func, select

pytestmark = pytest.mark.integration


async def creditor_rows(service: CasesService, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
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


async def test_registered_then_deactivated_creditor_applied_once(service: CasesService) -> None:
    event = registration()
    registered = Envelope.wrap(event)

    async with running_consumers(service) as run:
        await run.publish(registered, times=2)  # the second is a redelivery
        await run.wait_for(
            lambda: creditor_rows(service, event.organisation_id), what="the creditor to appear"
        )
        await run.settled(handled=1, duplicate=1)  # and the redelivery recognised

        rows = await creditor_rows(service, event.organisation_id)
        assert rows == [
            {
                "organisation_id": event.organisation_id,
                "name": event.name,
                "organisation_number": event.organisation_number,
                "active": True,
                "registered_at": registered.occurred_at,
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
    service: CasesService,
) -> None:
    """Without the inbox's help (a new event id), the upsert still leaves one creditor,
    and a registration applied after the deactivation does not reactivate it."""
    event = registration()
    first, again = Envelope.wrap(event), Envelope.wrap(event)

    async with running_consumers(service) as run:
        await run.publish(first)
        await run.settled(handled=1)
        await run.publish(
            Envelope.wrap(OrganisationDeactivated(organisation_id=event.organisation_id))
        )
        await run.settled(handled=2)
        await run.publish(again)
        await run.settled(handled=3)

    rows = await creditor_rows(service, event.organisation_id)
    assert len(rows) == 1
    assert rows[0]["active"] is False


async def test_the_agency_is_not_recorded_as_a_creditor(service: CasesService) -> None:
    event = registration(kind="agency")
    envelope = Envelope.wrap(event)

    async with running_consumers(service) as run:
        await run.publish(envelope)
        await run.settled(handled=1)

    assert await creditor_rows(service, event.organisation_id) == []
    async with service.session_factory() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(service.inbox)
            .where(service.inbox.c.message_id == envelope.event_id)
        )
    assert count == 1
