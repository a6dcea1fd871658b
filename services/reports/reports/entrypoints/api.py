"""HTTP API of the reports service (``uvicorn reports.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from servicekit.auth import require_agency_admin
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from reports import views
from reports.bootstrap import ReportsService, bootstrap
from reports.entrypoints import catalogue, corrections, documents, kpis, saved_reports
from reports.entrypoints.schemas import OrganisationOut


async def _service(request: Request) -> ReportsService:
    service: ReportsService = request.app.state.service
    return service


ServiceDep = Annotated[ReportsService, Depends(_service)]


router = APIRouter(prefix="/api/v1/reports", tags=["organisations"])


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationOut,
    responses=problem_responses(404),
    dependencies=[Depends(require_agency_admin)],
    summary="One organisation as reports know it",
)
async def get_organisation(organisation_id: uuid.UUID, service: ServiceDep) -> OrganisationOut:
    row = await views.organisation(service.session_factory, organisation_id)
    if row is None:
        raise NotFound("No such organisation.")
    return OrganisationOut.model_validate(row)


def create_app(service: ReportsService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter reports",
        description="Read models, documents, saved reports, exports and KPIs.",
        routers=[
            router,
            documents.router,
            corrections.router,
            catalogue.router,
            saved_reports.router,
            kpis.router,
        ],
    )
    app.state.service = service
    return app
