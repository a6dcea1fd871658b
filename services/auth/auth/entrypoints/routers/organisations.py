"""Organisations: creditor clients and the agency (agency administrators only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status
from servicekit.auth import require_agency_admin
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from auth import views
from auth.entrypoints.deps import ServiceDep
from auth.entrypoints.schemas import OrganisationIn, OrganisationOut
from auth.service_layer.handlers import RegisterOrganisation, register_organisation

router = APIRouter(prefix="/api/v1/auth", tags=["organisations"])


@router.post(
    "/organisations",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationOut,
    responses=problem_responses(409),
    dependencies=[Depends(require_agency_admin)],
    summary="Register a creditor client (or the agency)",
)
async def post_organisation(body: OrganisationIn, service: ServiceDep) -> OrganisationOut:
    organisation = await register_organisation(
        RegisterOrganisation(
            name=body.name, organisation_number=body.organisation_number, kind=body.kind
        ),
        service.unit_of_work(),
    )
    return OrganisationOut(
        id=organisation.id,
        name=organisation.name,
        organisation_number=organisation.organisation_number,
        kind=organisation.kind,
        active=organisation.active,
        created_at=organisation.created_at,
    )


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationOut,
    responses=problem_responses(404),
    dependencies=[Depends(require_agency_admin)],
    summary="One organisation",
)
async def get_organisation(organisation_id: uuid.UUID, service: ServiceDep) -> OrganisationOut:
    row = await views.organisation(service.session_factory, organisation_id)
    if row is None:
        raise NotFound("No such organisation.")
    return OrganisationOut.model_validate(row)
