"""HTTP API of the ledger service (``uvicorn ledger.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from servicekit.auth import require_agency_admin
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from ledger import views
from ledger.bootstrap import LedgerService, bootstrap
from ledger.entrypoints.schemas import CreditorAccountOut


def _service(request: Request) -> LedgerService:
    service: LedgerService = request.app.state.service
    return service


ServiceDep = Annotated[LedgerService, Depends(_service)]


router = APIRouter(prefix="/api/v1/ledger", tags=["creditor accounts"])


@router.get(
    "/creditor-accounts/{organisation_id}",
    response_model=CreditorAccountOut,
    responses=problem_responses(404),
    dependencies=[Depends(require_agency_admin)],
    summary="The account a creditor's client funds are held on",
)
async def get_creditor_account(
    organisation_id: uuid.UUID, service: ServiceDep
) -> CreditorAccountOut:
    row = await views.creditor_account(service.session_factory, organisation_id)
    if row is None:
        raise NotFound("No such creditor account.")
    return CreditorAccountOut.model_validate(row)


def create_app(service: LedgerService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter ledger",
        description=(
            "Journal, rate tables, interest and fees, payments and their allocation, "
            "client funds, settlements (avregning) and payouts."
        ),
        routers=[router],
    )
    app.state.service = service
    return app
