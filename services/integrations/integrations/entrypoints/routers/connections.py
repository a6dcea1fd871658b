"""A creditor admin's ERP connection: connect, status, pause/resume, sync now, the invoices
that need a look, retry a refused one, recent syncs. Every query is scoped to the caller's
organisation; nothing here shows a key back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from servicekit.errors import NotFound
from servicekit.idempotency import IdempotencyKeyHeader, post_once
from servicekit.openapi import problem_responses
from servicekit.tokens import Principal
from servicekit.types import Limit

from integrations import views
from integrations.adapters.orm import idempotency_keys
from integrations.bootstrap import IntegrationsService
from integrations.entrypoints.deps import CreditorAdmin, ServiceDep
from integrations.entrypoints.schemas import (
    ConnectionOut,
    InvoiceOut,
    InvoicesOut,
    SyncRunOut,
    TripletexKeysIn,
)
from integrations.service_layer import connections
from integrations.service_layer.sync import SyncContext

router = APIRouter(prefix="/api/v1/integrations/tripletex", tags=["tripletex"])

InvoiceId = Annotated[int, Path(ge=1, le=2**62, description="the invoice's id in Tripletex")]


async def _status(service: ServiceDep, principal: CreditorAdmin) -> ConnectionOut:
    async with service.session_factory() as session:
        found = await views.connection_of(session, principal.organisation_id)
    if found is None:
        raise NotFound("Your organisation has no Tripletex connection.")
    return ConnectionOut.model_validate(found)


@router.get(
    "",
    response_model=ConnectionOut,
    responses=problem_responses(404),
    summary="The organisation's Tripletex connection: status, last sync, counts",
)
async def get_connection(service: ServiceDep, principal: CreditorAdmin) -> ConnectionOut:
    return await _status(service, principal)


@router.put(
    "",
    response_model=ConnectionOut,
    responses=problem_responses(409, 422),
    summary="Connect (or renew the keys of) the organisation's Tripletex",
    description="The keys are checked at Tripletex (a session and the company they act "
    "for), then kept encrypted; a sync follows at once. 422 `erp-refused` with `erp_code` "
    "when Tripletex does not accept them.",
)
async def connect(
    body: TripletexKeysIn, service: ServiceDep, principal: CreditorAdmin
) -> ConnectionOut:
    await connections.connect(
        service.sync_context(),
        service.settings.tripletex_url,
        connections.Connect(
            creditor_id=principal.organisation_id,
            user_id=principal.user_id,
            consumer_token=body.consumer_token,
            employee_token=body.employee_token,
        ),
    )
    return await _status(service, principal)


IDEMPOTENT = (
    "Send an `Idempotency-Key` to make a retry safe: the same key replays the first "
    "answer; with another request it is 422 `idempotency-key-reused`."
)


async def _once(
    service: IntegrationsService,
    principal: Principal,
    request: Request,
    key: str | None,
    change: Callable[[SyncContext], Awaitable[None]],
) -> Response:
    """``change`` once per caller and ``Idempotency-Key`` (servicekit's mechanism): its
    unit of work joins the one that stores the answer, so both commit together."""
    uow = service.unit_of_work()
    ctx = replace(service.sync_context(), uow=lambda: uow)

    async def work() -> tuple[int, None]:
        await change(ctx)
        return 204, None

    return await post_once(
        uow,
        idempotency_keys,
        scope=f"{principal.organisation_id}:{principal.user_id}",
        key=key,
        request=request,
        body=None,
        work=work,
    )


@router.post(
    "/pause",
    status_code=204,
    responses=problem_responses(404),
    summary="Pause: no syncs, nothing handed over, until resumed",
    description=IDEMPOTENT,
)
async def pause(
    service: ServiceDep,
    principal: CreditorAdmin,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    async def change(ctx: SyncContext) -> None:
        await connections.set_status(ctx, principal.organisation_id, "paused")

    return await _once(service, principal, request, idempotency_key, change)


@router.post(
    "/resume",
    status_code=204,
    responses=problem_responses(404),
    summary="Resume; syncs at once",
    description=IDEMPOTENT,
)
async def resume(
    service: ServiceDep,
    principal: CreditorAdmin,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    async def change(ctx: SyncContext) -> None:
        await connections.set_status(ctx, principal.organisation_id, "active")

    return await _once(service, principal, request, idempotency_key, change)


@router.post(
    "/sync",
    status_code=204,
    responses=problem_responses(404, 409),
    summary="Sync now",
    description=IDEMPOTENT,
)
async def sync_now(
    service: ServiceDep,
    principal: CreditorAdmin,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    async def change(ctx: SyncContext) -> None:
        await connections.sync_now(ctx, principal.organisation_id)

    return await _once(service, principal, request, idempotency_key, change)


@router.get(
    "/invoices",
    response_model=InvoicesOut,
    summary="Invoices that need a look: refused ones (with their field codes) and cases "
    "whose invoice changed in Tripletex",
)
async def invoices(
    service: ServiceDep,
    principal: CreditorAdmin,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,19}$")] = None,
    limit: Limit = 100,
) -> InvoicesOut:
    async with service.session_factory() as session:
        rows = await views.invoices_needing_attention(
            session,
            principal.organisation_id,
            after=int(cursor) if cursor else None,
            limit=limit + 1,
        )
    items = [
        InvoiceOut(
            invoice_id=r["invoice_id"],
            invoice_number=r["invoice_number"],
            state=r["state"],
            case_number=r["case_number"],
            error_fields=[f for f in (r["error_fields"] or "").split(",") if f],
            conflicts=[f for f in (r["conflict"] or "").split(",") if f],
            outstanding_ore=r["outstanding_ore"],
            due_date=r["due_date"],
            updated_at=r["updated_at"],
        )
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    return InvoicesOut(items=items, next_cursor=str(items[-1].invoice_id) if more else None)


@router.post(
    "/invoices/{invoice_id}/retry",
    status_code=204,
    responses=problem_responses(404),
    summary="Hand a refused invoice over again at the next sync (after fixing it in Tripletex)",
    description=IDEMPOTENT,
)
async def retry(
    invoice_id: InvoiceId,
    service: ServiceDep,
    principal: CreditorAdmin,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    async def change(ctx: SyncContext) -> None:
        await connections.retry_refused(ctx, principal.organisation_id, invoice_id)

    return await _once(service, principal, request, idempotency_key, change)


@router.get("/runs", response_model=list[SyncRunOut], summary="The most recent syncs")
async def runs(
    service: ServiceDep, principal: CreditorAdmin, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[SyncRunOut]:
    rows = await views.recent_runs(service.engine, principal.organisation_id, limit)
    return [SyncRunOut.model_validate(r) for r in rows]
