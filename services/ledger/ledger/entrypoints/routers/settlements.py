"""Settlements (avregning): runs, their lines, the payout file, the bank's confirmation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from servicekit.auth import CurrentPrincipal
from servicekit.errors import DomainError
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.types import Limit, Text

from ledger.domain.errors import SettlementNotFound
from ledger.entrypoints.deps import AgencyAdmin, IdempotencyKey, ServiceDep, run_command
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.schemas import (
    SettlementLineOut,
    SettlementOut,
    SettlementRunIn,
    SettlementRunOut,
    SettlementStatusOut,
    SkippedOut,
    VoidIn,
)
from ledger.service_layer import settlements as settlement_handlers
from ledger.service_layer.unit_of_work import LedgerUnitOfWork
from ledger.views import settlements as settlements_view

router = APIRouter(prefix=PREFIX, tags=["settlements"])


class BadQuery(DomainError):
    status, type, title = 400, "invalid-query", "Invalid query"


@router.post(
    "/settlement-runs",
    status_code=status.HTTP_201_CREATED,
    response_model=SettlementRunOut,
    responses=problem_responses(409, 422),
    summary="Settle with creditors up to the end of a period (idempotent per creditor and "
    "period); writes one payout file",
)
async def post_settlement_run(
    body: SettlementRunIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: LedgerUnitOfWork) -> tuple[int, SettlementRunOut]:
        result = await settlement_handlers.run_settlements(
            uow.books,
            period_end=body.period_end,
            creditor_ids=body.creditor_ids,
            by=principal.user_id,
            policy=service.policy,
            write_payouts=service.write_payouts,
        )
        return 201, SettlementRunOut(
            period_end=result.period_end,
            settlement_ids=result.settlement_ids,
            skipped=[SkippedOut(creditor_id=c, reason=r) for c, r in result.skipped],
            payout_message_id=result.payout_message_id,
        )

    return await run_command(service, principal, idempotency_key, request, body, work)


@router.get(
    "/settlements",
    dependencies=[client_scope(Scopes.SETTLEMENTS_READ)],
    response_model=list[SettlementOut],
    summary="Settlements, newest first (creditor users: their own)",
    responses=problem_responses(400),
)
async def list_settlements(
    principal: CurrentPrincipal,
    service: ServiceDep,
    creditor_id: uuid.UUID | None = None,
    settlement_status: Annotated[
        Literal["pending", "posted", "voided"] | None, Query(alias="status")
    ] = None,
    after: Annotated[
        Text | None, Query(max_length=20, pattern=r"^[A-Z0-9-]+$", description="a number")
    ] = None,
    limit: Annotated[Limit, Query(le=1000)] = 100,
    updated_since: Annotated[
        datetime | None,
        Query(
            description="Created, posted or voided at or after this instant (ISO 8601 "
            "with a UTC offset): an integration's sync"
        ),
    ] = None,
) -> list[SettlementOut]:
    if updated_since is not None and updated_since.tzinfo is None:
        raise BadQuery(
            "updated_since needs a UTC offset.",
            errors=[{"field": "updated_since", "reason": "needs a UTC offset (Z or +01:00)"}],
        )
    async with service.session_factory() as session:
        rows = await settlements_view.list_settlements(
            session,
            tenant=principal.tenant,
            creditor_id=creditor_id,
            status=settlement_status,
            after=after,
            limit=limit,
            updated_since=updated_since,
        )
    return [SettlementOut.model_validate(r) for r in rows]


@router.get(
    "/settlements/{settlement_id}",
    dependencies=[client_scope(Scopes.SETTLEMENTS_READ)],
    response_model=SettlementOut,
    responses=problem_responses(404),
    summary="One settlement",
)
async def get_settlement(
    settlement_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> SettlementOut:
    async with service.session_factory() as session:
        row = await settlements_view.settlement(session, settlement_id, tenant=principal.tenant)
    if row is None:
        raise SettlementNotFound("No such settlement.")
    return SettlementOut.model_validate(row)


@router.get(
    "/settlements/{settlement_id}/lines",
    dependencies=[client_scope(Scopes.SETTLEMENTS_READ)],
    response_model=list[SettlementLineOut],
    responses=problem_responses(404),
    summary="A settlement's lines: per case and payment",
)
async def get_settlement_lines(
    settlement_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> list[SettlementLineOut]:
    async with service.session_factory() as session:
        row = await settlements_view.settlement(session, settlement_id, tenant=principal.tenant)
        if row is None:
            raise SettlementNotFound("No such settlement.")
        lines = await settlements_view.lines(session, settlement_id)
    return [SettlementLineOut.model_validate(line) for line in lines]


@router.get(
    "/payout-files/{message_id}",
    responses={
        200: {"content": {"application/xml": {}}, "description": "the pain.001 document"},
        **problem_responses(404),
    },
    response_class=Response,
    summary="A payout file (ISO 20022 pain.001) as sent to the bank",
)
async def get_payout_file(
    message_id: Annotated[str, Path(max_length=35, pattern=r"^[A-Za-z0-9/\-?:().,'+ ]+$")],
    principal: AgencyAdmin,
    service: ServiceDep,
) -> Response:
    del principal
    async with service.session_factory() as session:
        row = await settlements_view.payout_file(session, message_id)
    if row is None:
        raise SettlementNotFound("No such payout file.")
    return Response(
        row["document"],
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{message_id}.xml"'},
    )


@router.post(
    "/settlements/{settlement_id}/confirmation",
    response_model=SettlementStatusOut,
    responses=problem_responses(404, 409),
    summary="The bank paid the payout: post the settlement",
)
async def post_confirmation(
    settlement_id: uuid.UUID,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: LedgerUnitOfWork) -> tuple[int, SettlementStatusOut]:
        state = await settlement_handlers.confirm_settlement(
            uow.books, settlement_id, client_account=service.policy.client_funds_account
        )
        return 200, SettlementStatusOut(settlement_id=settlement_id, status=state)

    return await run_command(service, principal, idempotency_key, request, {}, work)


@router.post(
    "/settlements/{settlement_id}/voiding",
    response_model=SettlementStatusOut,
    responses=problem_responses(404, 409),
    summary="The bank refused the payout: void the settlement (its lines settle again later)",
)
async def post_voiding(
    settlement_id: uuid.UUID,
    body: VoidIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: LedgerUnitOfWork) -> tuple[int, SettlementStatusOut]:
        state = await settlement_handlers.void_settlement(
            uow.books, settlement_id, reason=body.reason
        )
        return 200, SettlementStatusOut(settlement_id=settlement_id, status=state)

    return await run_command(service, principal, idempotency_key, request, body, work)
