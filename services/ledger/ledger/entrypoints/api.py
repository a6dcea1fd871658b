"""HTTP API of the ledger service (``uvicorn ledger.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from ledger.bootstrap import LedgerService, bootstrap
from ledger.entrypoints.routers import (
    bank_files,
    creditors,
    economy,
    journal,
    payments,
    rates,
    settlements,
)


def create_app(service: LedgerService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter ledger",
        description=(
            "Journal, rate tables, interest and fees, payments and their allocation, client "
            "funds, settlements (avregning) and payouts. Money is integer øre. Every command "
            "takes an `Idempotency-Key`: the same key again replays the first answer; with "
            "another request it is refused (409)."
        ),
        routers=[
            economy.router,
            payments.router,
            bank_files.router,
            settlements.router,
            rates.router,
            creditors.router,
            journal.router,
        ],
    )
    app.state.service = service
    return app
