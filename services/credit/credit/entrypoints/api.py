"""HTTP API of the credit service (``uvicorn credit.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from credit.bootstrap import CreditService, bootstrap
from credit.entrypoints.routers import admin, orders, price_lists, products, search, spend


def create_app(service: CreditService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter credit",
        description=(
            "Credit reports on businesses and persons through the bureau adapters: products "
            "and prices, orders with a stated purpose, reports, spend and specifications, "
            "price lists, and the lookup audit."
        ),
        routers=[
            products.router,
            search.router,
            orders.router,
            spend.router,
            price_lists.router,
            admin.router,
        ],
    )
    app.state.service = service
    return app
