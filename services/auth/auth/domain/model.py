"""Organisations: the creditor clients (oppdragsgivere) and the agency itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import orgnr

from auth.domain.errors import InvalidOrganisationNumber


class OrganisationKind(StrEnum):
    CREDITOR = "creditor"
    AGENCY = "agency"


def normalise_organisation_number(value: str) -> str:
    """A valid organisasjonsnummer as 9 digits (spaces allowed on input)."""
    try:
        return str(orgnr.validate(value))
    except StdnumError as exc:
        raise InvalidOrganisationNumber(value) from exc


@dataclass
class Organisation:
    """A creditor client or the agency: the tenant every creditor query is scoped by."""

    name: str
    organisation_number: str
    kind: OrganisationKind
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    active: bool = True
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def register(
        cls, *, name: str, organisation_number: str, kind: OrganisationKind
    ) -> Organisation:
        name = " ".join(name.split())
        if not name:
            raise ValueError("name must not be empty")
        return cls(
            name=name,
            organisation_number=normalise_organisation_number(organisation_number),
            kind=kind,
        )
