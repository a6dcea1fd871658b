"""Agency administrators: creditors as the credit service knows them, and «why was I
checked?» (every order on a subject, from the access-logged order records)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from credit import views
from credit.entrypoints.deps import AgencyAdmin, ServiceDep, reader
from credit.entrypoints.routers.orders import parse_subject
from credit.entrypoints.schemas import CreditorOut, OrderListOut, OrderOut, SubjectLookupIn
from credit.service_layer import access

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
