"""Agency administrators: creditors as the credit service knows them, their agreements
(which products and purposes each may use), and «why was I checked?» (every order on a
subject, from the access-logged order records)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from credit import views
from credit.entrypoints.deps import AgencyAdmin, ServiceDep, reader
from credit.entrypoints.routers.orders import parse_subject
from credit.entrypoints.schemas import (
    AgreementIn,
    AgreementOut,
    CreditorOut,
    OrderListOut,
    OrderOut,
    SubjectLookupIn,
)
from credit.service_layer import access, agreements

router = APIRouter(prefix="/api/v1/credit", tags=["creditors"])


@router.get(
    "/creditors/{organisation_id}",
    response_model=CreditorOut,
    responses=problem_responses(404),
    summary="One creditor that can own a price list",
)
async def get_creditor(
    organisation_id: uuid.UUID, principal: AgencyAdmin, service: ServiceDep
) -> CreditorOut:
    row = await views.creditor(service.session_factory, organisation_id)
    if row is None:
        raise NotFound("No such creditor.")
    return CreditorOut.model_validate(row)


@router.post(
    "/subject-lookups",
    response_model=OrderListOut,
    summary="Every order on one subject: who ordered, when, why (a person's question)",
    description="The number is sent in the body, never in a URL; the look-up is logged.",
)
async def subject_lookup(
    body: SubjectLookupIn, request: Request, principal: AgencyAdmin, service: ServiceDep
) -> OrderListOut:
    subject = parse_subject(body.subject)
    index = service.vault.subject_index(subject.kind.value, subject.identifier)
    rows = await access.who_checked(service.unit_of_work(), index, reader(principal, request))
    return OrderListOut(orders=[OrderOut.model_validate(views.order_document(r)) for r in rows])


async def _agreement(service: ServiceDep, organisation_id: uuid.UUID) -> AgreementOut:
    async with service.unit_of_work() as uow:
        if await uow.creditors.get(organisation_id) is None:
            raise NotFound("No such creditor.")
        row = await uow.agreements.row(organisation_id)
    if row is None:
        return AgreementOut(
            creditor_id=organisation_id, products=None, purposes=None, updated_at=None
        )
    return AgreementOut(
        creditor_id=organisation_id,
        products=row["products"],
        purposes=row["purposes"],
        updated_at=row["updated_at"],
    )


@router.get(
    "/creditors/{organisation_id}/agreement",
    response_model=AgreementOut,
    responses=problem_responses(404),
    summary="The products and purposes a creditor may use (null: all)",
)
async def get_agreement(
    organisation_id: uuid.UUID, principal: AgencyAdmin, service: ServiceDep
) -> AgreementOut:
    return await _agreement(service, organisation_id)


@router.put(
    "/creditors/{organisation_id}/agreement",
    response_model=AgreementOut,
    responses=problem_responses(404),
    summary="Set the products and purposes a creditor may use",
    description=(
        "`null` allows every product (or purpose). An order outside the agreement is refused "
        "with 422 `outside-agreement` (field codes `product-not-in-agreement`, "
        "`purpose-not-in-agreement`)."
    ),
)
async def put_agreement(
    organisation_id: uuid.UUID, body: AgreementIn, principal: AgencyAdmin, service: ServiceDep
) -> AgreementOut:
    await agreements.set_agreement(
        service.unit_of_work(),
        organisation_id,
        body.products,
        None if body.purposes is None else [p.value for p in body.purposes],
        principal.user_id,
    )
    return await _agreement(service, organisation_id)
