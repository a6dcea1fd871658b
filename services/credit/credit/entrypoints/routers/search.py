"""Searching a business by name: the bureau's candidates, each with its organisation
number, to choose from before ordering (free: a search is not a purchase; logged)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from servicekit.errors import Forbidden
from servicekit.openapi import problem_responses

from credit.domain.errors import OrderProblem
from credit.entrypoints.deps import Orderer, ServiceDep, reader
from credit.entrypoints.schemas import CompanyCandidateOut, CompanySearchIn, CompanySearchOut
from credit.service_layer import searching
from credit.service_layer.ports import BureauFailed, BureauUnavailable

router = APIRouter(prefix="/api/v1/credit", tags=["orders"])


@router.post(
    "/company-searches",
    response_model=CompanySearchOut,
    responses=problem_responses(403, 502, 503),
    summary="Find a business by name (free; the search is logged)",
    description=(
        "The name goes in the body (a sole proprietorship's name is a person's). Answers "
        "the bureau's candidates with their organisation numbers; order a report by the "
        "number. Nothing is bought and nothing is charged."
    ),
)
async def search_companies(
    body: CompanySearchIn, request: Request, principal: Orderer, service: ServiceDep
) -> CompanySearchOut:
    if principal.tenant is None:
        raise Forbidden("Businesses are searched by a creditor's users.")
    try:
        found = await searching.search_companies(
            service.unit_of_work(), service.bureau, body.name, reader(principal, request)
        )
    except BureauUnavailable as exc:
        raise OrderProblem(
            503,
            "bureau-unavailable",
            "The bureau is unavailable",
            "The search did not reach the bureau; try again shortly.",
            {},
            {"Retry-After": str(exc.retry_after or 30)},
        ) from exc
    except BureauFailed as exc:
        raise OrderProblem(
            502, "bureau-error", "The bureau failed", "The bureau could not search.", {}
        ) from exc
    return CompanySearchOut(
        candidates=[
            CompanyCandidateOut(
                organisation_number=c.organisation_number,
                name=c.name,
                organisation_form=c.organisation_form,
                status=c.status,
                city=c.city,
            )
            for c in found
        ]
    )
