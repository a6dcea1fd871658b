"""The organisations read model: every kind enters, deactivation marks (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from reports.domain.errors import OrganisationNotInReadModel
from reports.domain.model import Organisation
from reports.service_layer.handlers import (
    ProjectOrganisationDeactivated,
    ProjectOrganisationRegistered,
    project_organisation_deactivated,
    project_organisation_registered,
)

pytestmark = pytest.mark.unit

REGISTERED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


class FakeOrganisations:
    """In-memory :class:`reports.service_layer.handlers.Organisations`, same semantics."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Organisation] = {}

    async def upsert_registration(self, organisation: Organisation) -> None:
        known = self.rows.get(organisation.organisation_id)
        self.rows[organisation.organisation_id] = (
            organisation
            if known is None
            else replace(
                known,
                name=organisation.name,
                organisation_number=organisation.organisation_number,
                kind=organisation.kind,
            )
        )

    async def deactivate(self, organisation_id: uuid.UUID) -> bool:
        known = self.rows.get(organisation_id)
        if known is None:
            return False
        self.rows[organisation_id] = replace(known, active=False)
        return True


def registered(kind: str = "creditor") -> ProjectOrganisationRegistered:
    return ProjectOrganisationRegistered(
        organisation_id=uuid.uuid4(),
        kind=kind,
        name="Nordlys Energi AS",
        organisation_number="923609016",
        registered_at=REGISTERED_AT,
    )


@pytest.mark.parametrize("kind", ["creditor", "agency"])
async def test_every_kind_of_organisation_enters_the_read_model(kind: str) -> None:
    organisations = FakeOrganisations()
    cmd = registered(kind)

    await project_organisation_registered(cmd, organisations)

    assert organisations.rows == {
        cmd.organisation_id: Organisation(
            organisation_id=cmd.organisation_id,
            name="Nordlys Energi AS",
            organisation_number="923609016",
            kind=kind,
            registered_at=REGISTERED_AT,
            active=True,
        )
    }


async def test_a_registration_applied_again_does_not_reactivate() -> None:
    organisations = FakeOrganisations()
    cmd = registered()
    await project_organisation_registered(cmd, organisations)
    await project_organisation_deactivated(
        ProjectOrganisationDeactivated(cmd.organisation_id), organisations
    )

    await project_organisation_registered(cmd, organisations)

    assert organisations.rows[cmd.organisation_id].active is False


async def test_a_deactivation_before_its_registration_is_refused_to_be_retried() -> None:
    organisations = FakeOrganisations()
    organisation_id = uuid.uuid4()

    with pytest.raises(OrganisationNotInReadModel) as refused:
        await project_organisation_deactivated(
            ProjectOrganisationDeactivated(organisation_id), organisations
        )

    assert refused.value.organisation_id == organisation_id
    assert organisations.rows == {}


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        Organisation(
            organisation_id=uuid.uuid4(),
            name="Nordlys Energi AS",
            organisation_number="923609016",
            kind="debtor",
            registered_at=REGISTERED_AT,
        )
