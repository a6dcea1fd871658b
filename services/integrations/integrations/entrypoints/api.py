"""HTTP API of the integrations service (``uvicorn integrations.entrypoints.api:create_app
--factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from integrations.bootstrap import IntegrationsService, bootstrap
from integrations.entrypoints.routers import connections


def create_app(service: IntegrationsService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter integrations",
        description=(
            "Creditors' ERP connections (Tripletex first): connect with the ERP's keys, "
            "status and last sync, the invoices that need a look, pause and resume. The "
            "connector hands overdue invoices over as cases and notices direct payments."
        ),
        routers=[connections.router],
    )
    app.state.service = service
    return app
