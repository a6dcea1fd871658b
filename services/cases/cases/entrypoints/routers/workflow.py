"""The collection workflow over HTTP: case actions, the work queue, a case's next steps.

Case handlers (and agency admins) act on any case; a creditor user may only withdraw a
case of their own organisation (another organisation's case is not found). Every action
accepts ``Idempotency-Key``; an action the case's state does not allow answers 409 with
the reason, a bad field 422 naming it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from servicekit.auth import require_agency_staff
from servicekit.errors import DomainError, NotFound
from servicekit.openapi import problem_responses
from servicekit.tokens import Principal
from servicekit.types import Limit, Text

from cases import views_workflow
from cases.domain import workflow as wf
from cases.entrypoints.deps import (
    AnyUser,
    CreditorUser,
    IdempotencyKey,
    ServiceDep,
    answer_post_once,
)
from cases.entrypoints.workflow_schemas import (
    AcknowledgementIn,
    ActionOut,
    CloseIn,
    LegalStepIn,
    NextStepOut,
    NextStepsOut,
    NoteIn,
    ObjectionIn,
    ObjectionResolutionIn,
    PaymentPlanIn,
    WorkItemOut,
    WorkQueuePage,
)
from cases.service_layer import workflow
from cases.service_layer.unit_of_work import CasesUnitOfWork
from cases.service_layer.workflow import Actor, Outcome, WorkflowContext

router = APIRouter(prefix="/api/v1/cases", tags=["workflow"])

CaseHandler = Annotated[Principal, Depends(require_agency_staff)]
"""Agency staff who work cases: case handlers and agency admins."""

Attention = Literal[
    "time_barred",
    "limitation_30d",
    "objection",
    "legal_decision",
    "new_demand_needed",
    "payment_plan_ended",
    "limitation_90d",
]
ACTION_PROBLEMS = problem_responses(404, 409, 422)

Work = Callable[[CasesUnitOfWork, WorkflowContext, Actor], Awaitable[Outcome]]


class BadQuery(DomainError):
    status, type, title = 400, "invalid-query", "Invalid query"


def _action_out(outcome: Outcome) -> ActionOut:
    return ActionOut(
        case_id=outcome.case_id,
        case_number=outcome.case_number,
        status=outcome.status,
        step=outcome.step,
        effective_date=outcome.effective_date,
        deadline=outcome.deadline,
        needs_attention=outcome.needs_attention,
        limitation_date=outcome.limitation_date,
        next=NextStepOut.model_validate(outcome.next, from_attributes=True),
    )


async def _perform(
    service: ServiceDep,
    principal: Principal,
    request: Request,
    key: str | None,
    body: Any,
    work: Work,
) -> JSONResponse:
    """Run an action once per Idempotency-Key, in one transaction with its answer."""
    ctx = service.workflow()
    actor = Actor("user", principal.user_id)
    async with service.unit_of_work() as uow:

        async def answer() -> tuple[int, object]:
            outcome = await work(uow, ctx, actor)
            return 200, _action_out(outcome).model_dump(mode="json")

        return await answer_post_once(uow, service, principal, request, key, body, answer)


def _note(body: NoteIn | None) -> dict[str, Any]:
    return {"note": body.note} if body is not None and body.note else {}


def _simple(case_id: uuid.UUID, action: wf.Action, detail: dict[str, Any]) -> Work:
    async def work(uow: CasesUnitOfWork, ctx: WorkflowContext, actor: Actor) -> Outcome:
        return await workflow.act(uow, ctx, case_id, action, actor, detail=detail)

    return work


# -- reads ---------------------------------------------------------------------------------


@router.get(
    "/work-queue",
    response_model=WorkQueuePage,
    responses=problem_responses(400),
    summary="Cases that need a case handler, longest waiting first",
    description=(
        "Cases with a reason in `needs_attention` (an open objection, a legal decision due, a "
        "limitation warning …), oldest first; keyset-paginated (`next_cursor` → `cursor`)."
    ),
)
async def work_queue(
    principal: CaseHandler,
    service: ServiceDep,
    reason: Attention | None = None,
    creditor_id: uuid.UUID | None = None,
    limit: Annotated[Limit, Query(le=200)] = 50,
    cursor: Annotated[Text | None, Query(max_length=500)] = None,
) -> WorkQueuePage:
    async with service.session_factory() as session:
        try:
            rows, next_cursor = await views_workflow.work_queue(
                session, reason=reason, creditor_id=creditor_id, limit=limit, cursor=cursor
            )
        except views_workflow.InvalidCursor as exc:
            raise BadQuery(str(exc), errors=[{"field": "cursor", "reason": str(exc)}]) from exc
    return WorkQueuePage(
        items=[WorkItemOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.get(
    "/{case_id}/next-steps",
    response_model=NextStepsOut,
    responses=problem_responses(404),
    summary="Where a case stands in the workflow and what happens next",
)
async def next_steps(case_id: uuid.UUID, principal: AnyUser, service: ServiceDep) -> NextStepsOut:
    async with service.session_factory() as session:
        view = await views_workflow.next_steps(
            session,
            case_id,
            tenant=principal.tenant,
            agency=principal.is_agency_staff,
            rule_book=service.rule_book,
            today=service.clock.today(),
        )
    if view is None:
        raise NotFound("No such case.")
    return NextStepsOut.from_view(view)


# -- case handlers' actions ----------------------------------------------------------------


@router.post(
    "/{case_id}/inkassovarsel",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Send the inkassovarsel (notice of collection) now",
    description="Instead of waiting for the scheduler; the deadline counts from today.",
)
async def send_inkassovarsel(
    case_id: uuid.UUID,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    body: NoteIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    work = _simple(case_id, wf.SendInkassovarsel(), _note(body))
    dump = body.model_dump(mode="json") if body else None
    return await _perform(service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/betalingsoppfordring",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Send a betalingsoppfordring (demand for payment)",
    description=(
        "After the inkassovarsel's deadline, or again when the 6 months for legal steps after "
        "the last one have run out."
    ),
)
async def send_betalingsoppfordring(
    case_id: uuid.UUID,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    body: NoteIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    work = _simple(case_id, wf.SendBetalingsoppfordring(), _note(body))
    dump = body.model_dump(mode="json") if body else None
    return await _perform(service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/objections",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Register the debtor's objection (innsigelse): the case pauses",
)
async def register_objection(
    case_id: uuid.UUID,
    body: ObjectionIn,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def work(uow: CasesUnitOfWork, ctx: WorkflowContext, actor: Actor) -> Outcome:
        return await workflow.register_objection(
            uow, ctx, case_id, actor, received_on=body.received_on, grounds=body.grounds
        )

    dump = body.model_dump(mode="json")
    return await _perform(service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/objections/resolve",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Resolve the open objection: resume, close, or forliksklage",
)
async def resolve_objection(
    case_id: uuid.UUID,
    body: ObjectionResolutionIn,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def work(uow: CasesUnitOfWork, ctx: WorkflowContext, actor: Actor) -> Outcome:
        return await workflow.resolve_objection(
            uow, ctx, case_id, actor, outcome=body.outcome, note=body.note
        )

    dump = body.model_dump(mode="json")
    return await _perform(service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/payment-plan",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Agree an avdragsordning (payment plan): the case pauses",
    description="The debtor's agreement acknowledges the debt: limitation runs anew from today.",
)
async def agree_payment_plan(
    case_id: uuid.UUID,
    body: PaymentPlanIn,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    instalments = [wf.Instalment(i.due_date, i.amount_ore) for i in body.instalments]

    async def work(uow: CasesUnitOfWork, ctx: WorkflowContext, actor: Actor) -> Outcome:
        return await workflow.agree_payment_plan(uow, ctx, case_id, actor, instalments=instalments)

    dump = body.model_dump(mode="json")
    return await _perform(service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/payment-plan/breach",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="The debtor broke the avdragsordning: collection resumes",
)
async def breach_payment_plan(
    case_id: uuid.UUID,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    body: NoteIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    work = _simple(case_id, wf.BreachPaymentPlan(), _note(body))
    dump = body.model_dump(mode="json") if body else None
    return await _perform(service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/legal-steps",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Take a legal step: forliksklage or utleggsbegjæring",
    description=(
        "After the betalingsoppfordring's deadline and within 6 months of it. Interrupts "
        "limitation."
    ),
)
async def take_legal_step(
    case_id: uuid.UUID,
    body: LegalStepIn,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    detail = {"note": body.note} if body.note else {}
    work = _simple(case_id, wf.TakeLegalStep(body.step), detail)
    dump = body.model_dump(mode="json")
    return await _perform(service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/acknowledgements",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Record an acknowledgement, part payment or judgment (interrupts limitation)",
)
async def register_acknowledgement(
    case_id: uuid.UUID,
    body: AcknowledgementIn,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def work(uow: CasesUnitOfWork, ctx: WorkflowContext, actor: Actor) -> Outcome:
        return await workflow.register_acknowledgement(
            uow, ctx, case_id, actor, kind=body.kind, on=body.on
        )

    dump = body.model_dump(mode="json")
    return await _perform(service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/close",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Close a case: withdrawn or uncollectible",
)
async def close_case(
    case_id: uuid.UUID,
    body: CloseIn,
    principal: CaseHandler,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    detail = {"note": body.note} if body.note else {}
    work = _simple(case_id, wf.Close(body.reason), detail)
    dump = body.model_dump(mode="json")
    return await _perform(service, principal, request, idempotency_key, dump, work)


# -- creditors -----------------------------------------------------------------------------


@router.post(
    "/{case_id}/withdraw",
    response_model=ActionOut,
    responses=ACTION_PROBLEMS,
    summary="Withdraw your own case (the creditor's decision)",
)
async def withdraw_case(
    case_id: uuid.UUID,
    principal: CreditorUser,
    service: ServiceDep,
    request: Request,
    body: NoteIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    detail = _note(body)

    async def work(uow: CasesUnitOfWork, ctx: WorkflowContext, actor: Actor) -> Outcome:
        return await workflow.act(
            uow,
            ctx,
            case_id,
            wf.Close("withdrawn"),
            actor,
            creditor_id=principal.organisation_id,
            detail={**detail, "by": "creditor"},
        )

    dump = body.model_dump(mode="json") if body else None
    return await _perform(service, principal, request, idempotency_key, dump, work)
