"""HTTP API of the ledger service (``uvicorn ledger.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from servicekit.problems import problem

from ledger.adapters.bankfiles.model import InvalidPayoutBatch
from ledger.bootstrap import LedgerService, bootstrap
from ledger.domain.rates import MissingRate
from ledger.entrypoints.routers import (
    bank_files,
    creditors,
    economy,
    journal,
    payments,
    plan_check,
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
            plan_check.router,
            payments.router,
            bank_files.router,
            settlements.router,
            rates.router,
            creditors.router,
            journal.router,
        ],
        uploads={
            ("POST", "/api/v1/ledger/bank-files"): service.settings.bank_file_max_bytes,
            ("POST", "/api/v1/ledger/payout-answers"): service.settings.bank_file_max_bytes,
        },
    )
    app.state.service = service
    app.add_exception_handler(MissingRate, _missing_rate)
    app.add_exception_handler(InvalidPayoutBatch, _invalid_payouts)
    return app


async def _missing_rate(request: Request, exc: Exception) -> JSONResponse:
    """A date before any confirmed rate of a kind the computation needs."""
    assert isinstance(exc, MissingRate)
    return problem(
        422,
        "rate-missing",
        "No confirmed rate for the date",
        f"{exc}; an administrator adds or confirms it under /api/v1/ledger/rates.",
        instance=request.url.path,
        errors=[{"field": exc.kind, "reason": f"no confirmed rate on {exc.on.isoformat()}"}],
    )


async def _invalid_payouts(request: Request, exc: Exception) -> JSONResponse:
    """A payout the bank's format cannot carry (a creditor's payout details)."""
    assert isinstance(exc, InvalidPayoutBatch)
    return problem(
        422,
        "payout-file-invalid",
        "The payout file cannot be written",
        "Fix the creditors' payout details (PUT /creditors/{id}/agreement) and run again.",
        instance=request.url.path,
        errors=[{"field": p.field, "reason": p.reason} for p in exc.problems],
    )
