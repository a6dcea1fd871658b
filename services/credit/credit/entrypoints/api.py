"""HTTP API of the credit service (``uvicorn credit.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from servicekit.auth import require_agency_admin
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from credit import views
from credit.bootstrap import CreditService, bootstrap
from credit.entrypoints.schemas import CreditorOut


def _service(request: Request) -> CreditService:
    service: CreditService = request.app.state.service
    return service


ServiceDep = Annotated[CreditService, Depends(_service)]


router = APIRouter(prefix="/api/v1/credit", tags=["creditors"])


@router.get(
    "/creditors/{organisation_id}",
    response_model=CreditorOut,
    responses=problem_responses(404),
    dependencies=[Depends(require_agency_admin)],
    summary="One creditor that can own a price list",
)
async def get_creditor(organisation_id: uuid.UUID, service: ServiceDep) -> CreditorOut:
    row = await views.creditor(service.session_factory, organisation_id)
    if row is None:
        raise NotFound("No such creditor.")
    return CreditorOut.model_validate(row)


def create_app(service: CreditService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter credit",
        description=(
            "Credit reports on businesses and persons through the bureau adapters, "
            "searches, stated purposes, price lists and the lookup audit."
        ),
        routers=[router],
    )
    app.state.service = service
    return app
