"""Which organisations can own a price list, and what deactivation does (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from credit.domain.model import Creditor
from credit.service_layer.handlers import (
    RecordOrganisationDeactivated,
    RecordOrganisationRegistered,
    record_organisation_deactivated,
    record_organisation_registered,
)

pytestmark = pytest.mark.unit


class FakeCreditors:
    """In-memory :class:`credit.service_layer.handlers.Creditors` with the same semantics."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Creditor] = {}

    async def upsert_registration(self, creditor: Creditor) -> None:
        known = self.rows.get(creditor.organisation_id)
        self.rows[creditor.organisation_id] = (
            creditor if known is None else replace(known, name=creditor.name)
        )

    async def deactivate(self, organisation_id: uuid.UUID) -> bool:
        known = self.rows.get(organisation_id)
        if known is None:
            return False
        self.rows[organisation_id] = replace(known, active=False)
        return True


def registered(kind: str = "creditor") -> RecordOrganisationRegistered:
    return RecordOrganisationRegistered(
        organisation_id=uuid.uuid4(), kind=kind, name="Nordlys Energi AS"
    )


async def test_a_registered_creditor_client_can_own_a_price_list() -> None:
    creditors = FakeCreditors()
    cmd = registered()

    await record_organisation_registered(cmd, creditors)

    assert creditors.rows == {
        cmd.organisation_id: Creditor(
            organisation_id=cmd.organisation_id, name="Nordlys Energi AS", active=True
        )
    }


async def test_the_agency_buys_no_credit_reports() -> None:
    creditors = FakeCreditors()

    assert await record_organisation_registered(registered(kind="agency"), creditors) is None
    assert creditors.rows == {}


async def test_a_registration_applied_again_does_not_reactivate_a_deactivated_creditor() -> None:
    creditors = FakeCreditors()
    cmd = registered()
    await record_organisation_registered(cmd, creditors)
    await record_organisation_deactivated(
        RecordOrganisationDeactivated(organisation_id=cmd.organisation_id), creditors
    )

    await record_organisation_registered(cmd, creditors)

    assert creditors.rows[cmd.organisation_id].active is False


async def test_deactivating_an_unknown_organisation_changes_nothing() -> None:
    creditors = FakeCreditors()

    found = await record_organisation_deactivated(
        RecordOrganisationDeactivated(organisation_id=uuid.uuid4()), creditors
    )

    assert found is False
    assert creditors.rows == {}
