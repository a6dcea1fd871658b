"""Which organisations become creditors here, and what deactivation does (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cases.domain.model import Creditor
from cases.service_layer.handlers import (
    RecordOrganisationDeactivated,
    RecordOrganisationRegistered,
    record_organisation_deactivated,
    record_organisation_registered,
)

pytestmark = pytest.mark.unit

REGISTERED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


class FakeCreditors:
    """In-memory :class:`cases.service_layer.handlers.Creditors` with the same semantics."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Creditor] = {}

    async def upsert_registration(self, creditor: Creditor) -> None:
        known = self.rows.get(creditor.organisation_id)
        if known is None:
            self.rows[creditor.organisation_id] = creditor
        else:
            self.rows[creditor.organisation_id] = replace(
                known, name=creditor.name, organisation_number=creditor.organisation_number
            )

    async def deactivate(self, organisation_id: uuid.UUID) -> bool:
        known = self.rows.get(organisation_id)
        if known is None:
            return False
        self.rows[organisation_id] = replace(known, active=False)
        return True


def registered(kind: str = "creditor") -> RecordOrganisationRegistered:
    return RecordOrganisationRegistered(
        organisation_id=uuid.uuid4(),
        kind=kind,
        name="Nordlys Energi AS",
        organisation_number="923609016",
        registered_at=REGISTERED_AT,
    )


async def test_a_registered_creditor_client_becomes_an_active_creditor() -> None:
    creditors = FakeCreditors()
    cmd = registered()

    creditor = await record_organisation_registered(cmd, creditors)

    assert creditor is not None
    assert creditors.rows == {
        cmd.organisation_id: Creditor(
            organisation_id=cmd.organisation_id,
            name="Nordlys Energi AS",
            organisation_number="923609016",
            registered_at=REGISTERED_AT,
            active=True,
        )
    }


async def test_the_agency_itself_is_not_a_creditor() -> None:
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


def test_a_creditor_needs_a_timezone_aware_registration_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Creditor(
            organisation_id=uuid.uuid4(),
            name="Nordlys Energi AS",
            organisation_number="923609016",
            registered_at=datetime(2025, 3, 1, 9, 30),  # naive on purpose
        )
