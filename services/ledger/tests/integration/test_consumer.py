"""The ledger consumer applies the identity service's organisation events, exactly once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from contracts import Envelope
from contracts.auth import OrganisationDeactivated, OrganisationKind, OrganisationRegistered
from contracts.credit import CreditReportPurchased
from ledger.adapters.orm import credit_report_charges, creditor_accounts
from ledger.bootstrap import LedgerService
from servicekit.testing.bus import running_consumers
from servicekit.testing.data import organisation_number, unique_name
from sqlalchemy import select

pytestmark = pytest.mark.integration


async def account_rows(service: LedgerService, organisation_id: uuid.UUID) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        result = await session.execute(
            select(creditor_accounts).where(creditor_accounts.c.organisation_id == organisation_id)
        )
        return [dict(row) for row in result.mappings()]


def registration(kind: OrganisationKind = "creditor") -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=uuid.uuid4(),
        kind=kind,
        name=unique_name(),
        organisation_number=organisation_number(),
    )


async def test_registered_then_deactivated_creditor_applied_once(service: LedgerService) -> None:
    event = registration()
    registered = Envelope.wrap(event)

    async with running_consumers(service) as run:
        await run.publish(registered, times=2)  # the second is a redelivery
        await run.wait_for(
            lambda: account_rows(service, event.organisation_id),
            what="the creditor account to appear",
        )
        await run.settled(handled=1, duplicate=1)  # and the redelivery recognised

        assert await account_rows(service, event.organisation_id) == [
            {
                "organisation_id": event.organisation_id,
                "opened_at": registered.occurred_at,
                "active": True,
            }
        ]
        assert await run.inbox_count(registered.event_id) == 1

        deactivated = Envelope.wrap(OrganisationDeactivated(organisation_id=event.organisation_id))
        await run.publish(deactivated)

        async def inactive() -> bool:
            rows = await account_rows(service, event.organisation_id)
            return len(rows) == 1 and rows[0]["active"] is False

        await run.wait_for(inactive, what="the creditor account to be deactivated")
        await run.settled(handled=2)
        assert await run.inbox_count(deactivated.event_id) == 1
        assert run.outcomes()["retried"] == 0
        assert run.outcomes()["dead_lettered"] == 0


async def test_a_registration_under_a_new_event_id_is_idempotent_by_itself(
    service: LedgerService,
) -> None:
    """Without the inbox's help (a new event id), the account is opened once, and a
    registration applied after the deactivation neither reopens nor reactivates it."""
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

    assert await account_rows(service, event.organisation_id) == [
        {"organisation_id": event.organisation_id, "opened_at": first.occurred_at, "active": False}
    ]


async def test_the_agency_gets_no_creditor_account(service: LedgerService) -> None:
    event = registration(kind="agency")
    envelope = Envelope.wrap(event)

    async with running_consumers(service) as run:
        await run.publish(envelope)
        await run.settled(handled=1)
        assert await run.inbox_count(envelope.event_id) == 1

    assert await account_rows(service, event.organisation_id) == []


async def charge_rows(service: LedgerService, creditor_id: uuid.UUID) -> list[dict[str, Any]]:
    async with service.session_factory() as session:
        result = await session.execute(
            select(
                credit_report_charges.c.charge_id,
                credit_report_charges.c.amount_ore,
                credit_report_charges.c.purchased_on,
            ).where(credit_report_charges.c.creditor_id == creditor_id)
        )
        return [dict(row) for row in result.mappings()]


async def test_a_bought_credit_report_is_charged_once_per_order(service: LedgerService) -> None:
    creditor = uuid.uuid4()
    bought = CreditReportPurchased(
        order_id=uuid.uuid4(),
        creditor_id=creditor,
        product_code="PERSON_STANDARD",
        price_ore=7_900,
        vat_ore=1_975,
        vat_code="3",
        purchased_on=date(2026, 12, 6),
        purchased_at=datetime(2026, 12, 6, 12, tzinfo=UTC),
        ordered_by=uuid.uuid4(),
        case_id="C-2026-000123",
    )
    envelope = Envelope.wrap(bought)

    async with running_consumers(service) as run:
        await run.publish(envelope, times=2)  # a redelivery: the inbox dedupes by event id
        await run.publish(Envelope.wrap(bought))  # re-published: the order id dedupes
        await run.settled(handled=2, duplicate=1)
        assert run.outcomes()["dead_lettered"] == 0

    assert await charge_rows(service, creditor) == [
        {"charge_id": bought.order_id, "amount_ore": 9_875, "purchased_on": date(2026, 12, 6)}
    ]
