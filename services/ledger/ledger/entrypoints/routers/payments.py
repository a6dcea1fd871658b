"""Payments: listed (scoped), registered by hand, taken back; the unmatched queue."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from servicekit.auth import CurrentPrincipal
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.types import Limit, StrictDate

from ledger.domain.components import expand_designation
from ledger.domain.errors import InvalidInput, PaymentNotFound
from ledger.entrypoints.deps import AgencyStaff, IdempotencyKey, ServiceDep, run_command
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.routers.settlements import BadQuery
from ledger.entrypoints.schemas import (
    ImportOut,
    PaymentDetailOut,
    PaymentIn,
    PaymentOut,
    ResolutionIn,
    ReversalIn,
    ReversalOut,
    UnmatchedOut,
)
from ledger.service_layer import payments as payment_handlers
from ledger.service_layer import reversals, unmatched
from ledger.service_layer.unit_of_work import LedgerUnitOfWork
from ledger.views import payments as payments_view

router = APIRouter(prefix=PREFIX, tags=["payments"])

PaymentStatus = Literal["allocated", "unmatched", "refunded", "reversed", "reversal"]


@router.get(
    "/payments",
    dependencies=[client_scope(Scopes.SETTLEMENTS_READ)],
    response_model=list[PaymentOut],
    summary="Payments (creditor users: on their own cases), by id after ``after``",
    description="Page with `after` (the last payment id of a page). To sync, pass "
    "`updated_since` (your last run's start, less a minute): payments received, matched, "
    "moved or reversed at or after it.",
)
async def list_payments(
    principal: CurrentPrincipal,
    service: ServiceDep,
    case_id: uuid.UUID | None = None,
    value_from: StrictDate | None = None,
    value_to: StrictDate | None = None,
    payment_status: Annotated[PaymentStatus | None, Query(alias="status")] = None,
    after: uuid.UUID | None = None,
    limit: Annotated[Limit, Query(le=1000)] = 100,
    updated_since: Annotated[
        datetime | None,
        Query(
            description="Received or changed at or after this instant (ISO 8601 with a UTC "
            "offset): an integration's sync"
        ),
    ] = None,
) -> list[PaymentOut]:
    if updated_since is not None and updated_since.tzinfo is None:
        raise BadQuery(
            "updated_since needs a UTC offset.",
            errors=[{"field": "updated_since", "reason": "needs a UTC offset (Z or +01:00)"}],
        )
    async with service.read_sessions() as session:  # a read: no BEGIN/ROLLBACK (ADR 0065)
        rows = await payments_view.list_payments(
            session,
            tenant=principal.tenant,
            case_id=case_id,
            value_from=value_from,
            value_to=value_to,
            status=payment_status,
            after=after,
            limit=limit,
            updated_since=updated_since,
        )
    return [PaymentOut.model_validate(r) for r in rows]


@router.get(
    "/payments/{payment_id}",
    dependencies=[client_scope(Scopes.SETTLEMENTS_READ)],
    response_model=PaymentDetailOut,
    responses=problem_responses(404),
    summary="One payment and how it was allocated",
)
async def get_payment(
    payment_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> PaymentDetailOut:
    async with service.session_factory() as session:
        row = await payments_view.payment(session, payment_id, tenant=principal.tenant)
    if row is None:
        raise PaymentNotFound("No such payment.")
    return PaymentDetailOut.model_validate(row)


@router.post(
    "/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportOut,
    responses=problem_responses(404, 409),
    summary="Register a payment by hand (by KID or for a named case)",
)
async def post_payment(
    body: PaymentIn,
    request: Request,
    principal: AgencyStaff,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    if (body.kid is None) == (body.case_id is None):
        raise InvalidInput("kid", "give either a KID or a case_id")

    async def work(uow: LedgerUnitOfWork) -> tuple[int, ImportOut]:
        summary = await payment_handlers.receive_payments(
            uow.books,
            [
                payment_handlers.PaymentIn(
                    transaction_id=f"manual:{body.bank_reference}",
                    kid=body.kid,
                    amount_ore=body.amount_ore,
                    value_date=body.value_date,
                    source="manual",
                    designation=expand_designation(body.designation),
                    case_id=body.case_id,
                )
            ],
            service.policy,
        )
        return 201, ImportOut.model_validate(summary, from_attributes=True)

    return await run_command(service, principal, idempotency_key, request, body, work)


@router.post(
    "/payments/{payment_id}/reversal",
    status_code=status.HTTP_201_CREATED,
    response_model=ReversalOut,
    responses=problem_responses(404, 409),
    summary="Take an allocated payment back (a correction: a reversal linked to its entry)",
)
async def post_reversal(
    payment_id: uuid.UUID,
    body: ReversalIn,
    request: Request,
    principal: AgencyStaff,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: LedgerUnitOfWork) -> tuple[int, ReversalOut]:
        entry = await reversals.reverse_payment(
            uow.books, payment_id, reason=body.reason, policy=service.policy
        )
        return 201, ReversalOut(payment_id=payment_id, reversal_entry_id=entry.entry_id)

    return await run_command(service, principal, idempotency_key, request, body, work)


@router.get(
    "/unmatched-payments",
    response_model=list[UnmatchedOut],
    summary="Payments waiting for a case handler (unknown or ambiguous KID, reversals)",
)
async def list_unmatched(
    principal: AgencyStaff,
    service: ServiceDep,
    queue_status: Annotated[Literal["open", "resolved"], Query(alias="status")] = "open",
    after: uuid.UUID | None = None,
    limit: Annotated[Limit, Query(le=1000)] = 100,
) -> list[UnmatchedOut]:
    del principal
    async with service.session_factory() as session:
        rows = await payments_view.unmatched(session, status=queue_status, after=after, limit=limit)
    return [UnmatchedOut.model_validate(r) for r in rows]


@router.post(
    "/unmatched-payments/{payment_id}/resolution",
    response_model=ImportOut,
    responses=problem_responses(404, 409),
    summary="Match a queued payment to a case, refund it, or take back what a reversal names",
)
async def post_resolution(
    payment_id: uuid.UUID,
    body: ResolutionIn,
    request: Request,
    principal: AgencyStaff,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    if body.action == "allocate" and body.case_id is None:
        raise InvalidInput("case_id", "required to allocate")
    if body.action == "reverse" and body.reverses_payment_id is None:
        raise InvalidInput("reverses_payment_id", "required to reverse")

    async def work(uow: LedgerUnitOfWork) -> tuple[int, ImportOut]:
        summary = await unmatched.resolve_unmatched(
            uow.books,
            payment_id,
            action=body.action,
            case_id=body.case_id,
            reverses_payment_id=body.reverses_payment_id,
            designation=expand_designation(body.designation),
            by=principal.user_id,
            policy=service.policy,
        )
        return 200, ImportOut.model_validate(summary, from_attributes=True)

    return await run_command(service, principal, idempotency_key, request, body, work)
