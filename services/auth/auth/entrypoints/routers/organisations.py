"""Organisations: creditor clients and the agency. Agency administrators register them;
agency staff (case handlers too) read them, as they work every creditor's cases."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from servicekit.auth import AgencyAdmin, require_agency_staff
from servicekit.errors import NotFound
from servicekit.idempotency import IdempotencyKeyHeader, post_once
from servicekit.openapi import problem_responses
from servicekit.types import Limit, Text

from auth import views
from auth.adapters.orm import idempotency_keys
from auth.domain.model import OrganisationKind
from auth.entrypoints.deps import IDEMPOTENT, ServiceDep, key_scope
from auth.entrypoints.schemas import OrganisationIn, OrganisationOut
from auth.service_layer.handlers import RegisterOrganisation, register_organisation

router = APIRouter(prefix="/api/v1/auth", tags=["organisations"])


@router.post(
    "/organisations",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationOut,
    responses=problem_responses(409),
    summary="Register a creditor client (or the agency)",
    description=IDEMPOTENT.strip(),
)
async def post_organisation(
    body: OrganisationIn,
    principal: AgencyAdmin,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    uow = service.unit_of_work()

    async def work() -> tuple[int, object]:
        organisation = await register_organisation(
            RegisterOrganisation(
                name=body.name, organisation_number=body.organisation_number, kind=body.kind
            ),
            uow,
        )
        out = OrganisationOut(
            id=organisation.id,
            name=organisation.name,
            organisation_number=organisation.organisation_number,
            kind=organisation.kind,
            active=organisation.active,
            created_at=organisation.created_at,
        )
        return 201, out.model_dump(mode="json")

    return await post_once(
        uow,
        idempotency_keys,
        scope=key_scope(principal),
        key=idempotency_key,
        request=request,
        body=body.model_dump(mode="json"),
        work=work,
    )


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationOut,
    responses=problem_responses(404),
    dependencies=[Depends(require_agency_staff)],
    summary="One organisation (agency staff)",
)
async def get_organisation(organisation_id: uuid.UUID, service: ServiceDep) -> OrganisationOut:
    row = await views.organisation(service.session_factory, organisation_id)
    if row is None:
        raise NotFound("No such organisation.")
    return OrganisationOut.model_validate(row)


@router.get(
    "/organisations",
    response_model=list[OrganisationOut],
    dependencies=[Depends(require_agency_staff)],
    summary="Organisations by name (creditor clients and the agency), one page at a time "
    "(agency staff)",
    description="Pass the last organisation's `id` as `after` for the next page. `q` matches "
    "part of the name, or the start of the organisation number; `id` (repeated, at most 200) "
    "only those organisations, as when a page names the creditors of the rows it lists.",
)
async def list_organisations(
    service: ServiceDep,
    kind: OrganisationKind | None = None,
    q: Annotated[Text | None, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")] = None,
    after: uuid.UUID | None = None,
    limit: Annotated[Limit, Query(le=200)] = 50,
    organisation_ids: Annotated[list[uuid.UUID] | None, Query(alias="id", max_length=200)] = None,
) -> list[OrganisationOut]:
    rows = await views.list_organisations(
        service.session_factory,
        kind=kind.value if kind else None,
        search=q.strip() if q else None,
        after=after,
        limit=limit,
        ids=organisation_ids,
    )
    return [OrganisationOut.model_validate(r) for r in rows]
