"""HTTP API of the cases service (``uvicorn cases.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, FastAPI
from servicekit.auth import require_agency_admin
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses

from cases import views
from cases.bootstrap import CasesService, bootstrap
from cases.entrypoints.deps import ServiceDep
from cases.entrypoints.routers import (
    batches,
    case_export,
    cases,
    imports,
    notes,
    registration,
    workflow,
)
from cases.entrypoints.schemas import CreditorOut

router = APIRouter(prefix="/api/v1/cases", tags=["creditors"])


@router.get(
    "/creditors/{organisation_id}",
    response_model=CreditorOut,
    responses=problem_responses(404),
    dependencies=[Depends(require_agency_admin)],
    summary="One creditor cases can be registered for",
)
async def get_creditor(organisation_id: uuid.UUID, service: ServiceDep) -> CreditorOut:
    row = await views.creditor(service.session_factory, organisation_id)
    if row is None:
        raise NotFound("No such creditor.")
    return CreditorOut.model_validate(row)


def create_app(service: CasesService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter cases",
        description="Cases (oppdrag), their debtors and claims, workflow, notes and imports.",
        # Fixed paths before the case router's `/{case_id}`: Starlette matches in order.
        routers=[
            router,
            registration.router,
            batches.router,
            notes.router,
            imports.router,
            workflow.router,
            case_export.router,
            cases.router,
        ],
        uploads={
            ("POST", "/api/v1/cases/imports"): service.settings.import_max_upload_bytes,
            ("POST", "/api/v1/cases/registrations"): service.settings.batch_max_body_bytes,
            # a little over the limit, so a file too large gets the field code file_too_large
            ("POST", "/api/v1/cases/*/notes/*/attachments"): (
                service.settings.attachment_max_bytes + 1024 * 1024
            ),
        },
    )
    app.state.service = service
    return app
