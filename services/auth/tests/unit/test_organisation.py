"""Organisations: registration rules and organisation-number validation (no I/O)."""

from __future__ import annotations

import pytest
from auth.domain.errors import InvalidOrganisationNumber
from auth.domain.model import (
    Organisation,
    OrganisationKind,
    normalise_organisation_number,
)
from servicekit.testing.data import organisation_number

pytestmark = pytest.mark.unit


def test_registering_normalises_the_name_and_the_organisation_number() -> None:
    organisation = Organisation.register(
        name="  Nordlys   Energi  AS ",
        organisation_number="923 609 016",
        kind=OrganisationKind.CREDITOR,
    )

    assert organisation.name == "Nordlys Energi AS"
    assert organisation.organisation_number == "923609016"
    assert organisation.kind is OrganisationKind.CREDITOR
    assert organisation.active is True


def test_every_registration_gets_its_own_id() -> None:
    first, second = (
        Organisation.register(
            name="Nordlys Energi AS", organisation_number="923609016", kind=OrganisationKind.AGENCY
        )
        for _ in range(2)
    )

    assert first.id != second.id


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_name_is_required(name: str) -> None:
    with pytest.raises(ValueError, match="name"):
        Organisation.register(
            name=name, organisation_number="923609016", kind=OrganisationKind.CREDITOR
        )


@pytest.mark.parametrize(
    "value",
    [
        "923609017",  # wrong check digit
        "92360901",  # too short
        "9236090160",  # too long
        "92360901A",  # not digits
        "",
    ],
)
def test_an_invalid_organisation_number_is_refused_with_the_field_named(value: str) -> None:
    with pytest.raises(InvalidOrganisationNumber) as refused:
        Organisation.register(
            name="Nordlys Energi AS", organisation_number=value, kind=OrganisationKind.CREDITOR
        )

    assert refused.value.status == 422
    assert refused.value.type == "invalid-organisation-number"
    assert [e["field"] for e in refused.value.errors] == ["organisation_number"]


def test_generated_test_organisation_numbers_pass_the_real_validation() -> None:
    """Other services' tests use ``servicekit.testing.data``; keep it honest."""
    for _ in range(500):
        value = organisation_number()
        assert normalise_organisation_number(value) == value
