"""Command handlers of the identity service."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.auth import OrganisationRegistered
from sqlalchemy.exc import IntegrityError

from auth.domain.errors import OrganisationAlreadyRegistered
from auth.domain.model import Organisation, OrganisationKind
from auth.service_layer.unit_of_work import AuthUnitOfWork


@dataclass(frozen=True)
class RegisterOrganisation:
    name: str
    organisation_number: str
    kind: OrganisationKind


async def register_organisation(cmd: RegisterOrganisation, uow: AuthUnitOfWork) -> Organisation:
    """Register a creditor client (or the agency) and announce it to the other services."""
    organisation = Organisation.register(
        name=cmd.name, organisation_number=cmd.organisation_number, kind=cmd.kind
    )
    async with uow:
        if await uow.organisations.exists_with_number(organisation.organisation_number):
            raise OrganisationAlreadyRegistered(
                "An organisation with this organisation number is already registered."
            )
        try:
            await uow.organisations.add(organisation)
            uow.emit(
                OrganisationRegistered(
                    organisation_id=organisation.id,
                    kind=organisation.kind.value,
                    name=organisation.name,
                    organisation_number=organisation.organisation_number,
                )
            )
            await uow.commit()
        except IntegrityError as exc:  # lost a race with the same number (insert or commit)
            raise OrganisationAlreadyRegistered(
                "An organisation with this organisation number is already registered."
            ) from exc
    return organisation
