"""HTTP API of the webhooks service (``uvicorn webhooks.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from webhooks.bootstrap import WebhooksService, bootstrap
from webhooks.entrypoints.routers import endpoints


def create_app(service: WebhooksService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter webhooks",
        description=(
            "Outbound webhooks (Standard Webhooks 1.0) for creditors' systems: endpoints "
            "with an event-type filter, signing secrets and their rotation, the delivery "
            "log and redelivery."
        ),
        routers=[endpoints.router],
    )
    app.state.service = service
    return app
