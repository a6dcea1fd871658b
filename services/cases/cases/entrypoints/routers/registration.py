"""Registering cases: one at a time (API or the portal's form) or several in one request."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from servicekit.errors import Conflict, DomainError
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope

from cases.domain import registration as domain
from cases.entrypoints.deps import CreditorUser, IdempotencyKey, ServiceDep, answer_post_once
from cases.entrypoints.schemas import (
    BatchSubmissionOut,
    CaseIn,
    CasesIn,
    FieldErrorOut,
    RegisteredOut,
    RejectedOut,
)
from cases.service_layer import registration as reg

router = APIRouter(prefix="/api/v1/cases", tags=["registration"])


class RegistrationInvalid(DomainError):
    status, type, title = 422, "registration-invalid", "The case cannot be registered"


class AlreadyRegistered(Conflict):
    """The reference is a case already: the problem names it (``case_number``)."""

    type, title = "already-registered", "Already registered"

    def __init__(self, case_number: str, errors: list[dict[str, str]]) -> None:
        super().__init__(
            f"This creditor reference is already registered as case {case_number}.",
            errors=errors,
        )
        self.extensions = {"case_number": case_number}


def _errors(rejected: reg.Rejected) -> list[dict[str, str]]:
    return [e.as_problem() for e in rejected.errors]


class ValidOut(BaseModel):
    valid: bool = Field(description="always true: an invalid case answers 422")


@router.post(
    "/validation",
    dependencies=[client_scope(Scopes.CASES_WRITE)],
    response_model=ValidOut,
    responses=problem_responses(403, 422),
    summary="Check a case without registering it",
    description=(
        "The same checks as registering (every field at once, named as there), storing "
        "nothing: 422 `registration-invalid` with every field error, or 200. Whether the "
        "creditor reference is already registered is not checked. The portal's form uses it "
        "to show the service's errors together with its own."
    ),
)
async def validate_case(body: CaseIn, principal: CreditorUser, service: ServiceDep) -> ValidOut:
    try:
        domain.validated(body.to_domain(), today=service.clock.today())
    except domain.RegistrationRejected as rejected:
        errors = [{"field": e.field, "reason": e.reason} for e in rejected.errors]
        raise RegistrationInvalid(
            "The case has errors; nothing was registered.", errors=errors
        ) from rejected
    return ValidOut(valid=True)


@router.post(
    "",
    dependencies=[client_scope(Scopes.CASES_WRITE)],
    status_code=201,
    response_model=RegisteredOut,
    responses=problem_responses(403, 409, 422),
    summary="Register a case",
    description=(
        "Registers one case in a batch of its own (its order confirmation). Every problem is "
        "named with its field (`debtor.national_id`, `claims[0].due_date`, …). A creditor "
        "reference that is already registered answers 409 with the existing case number."
    ),
)
async def register_case(
    body: CaseIn,
    principal: CreditorUser,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
    channel: Annotated[
        Literal["api", "form"], Query(description="`form` when sent by the portal's form")
    ] = "api",
) -> JSONResponse:
    ctx = service.registration()
    who = reg.Submitter(principal.organisation_id, channel, principal.user_id)

    async with service.unit_of_work() as uow:

        async def work() -> tuple[int, object]:
            batch = await reg.open_batch(uow, ctx, who)
            outcome = await reg.register_chunk(uow, ctx, batch, [(0, body.to_domain())])
            if outcome.rejected:
                rejected = outcome.rejected[0]
                if rejected.existing_case_number:
                    raise AlreadyRegistered(rejected.existing_case_number, _errors(rejected))
                raise RegistrationInvalid(
                    "The case has errors; nothing was registered.", errors=_errors(rejected)
                )
            await reg.complete_batch(uow, ctx, batch.batch_id, rejected=0)
            case = outcome.registered[0]
            out = RegisteredOut(
                case_id=case.case_id,
                case_number=case.case_number,
                kid=case.kid,
                creditor_reference=body.creditor_reference.strip(),
                batch_id=batch.batch_id,
                batch_number=batch.batch_number,
            )
            return 201, out.model_dump(mode="json")

        dump = [channel, body.model_dump(mode="json")]
        return await answer_post_once(uow, service, principal, request, idempotency_key, dump, work)


@router.post(
    "/registrations",
    dependencies=[client_scope(Scopes.CASES_WRITE)],
    status_code=201,
    response_model=BatchSubmissionOut,
    responses=problem_responses(403, 422),
    summary="Register several cases in one batch",
    description=(
        "For systems: up to 1,000 cases in one request and one registration batch. Good cases "
        "are registered; each rejected one is listed with its position and every field error. "
        "For larger volumes upload a file (`/api/v1/cases/imports`)."
    ),
)
async def register_cases(
    body: CasesIn,
    principal: CreditorUser,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    ctx = service.registration()
    who = reg.Submitter(principal.organisation_id, "api", principal.user_id)
    items = [(i, case.to_domain()) for i, case in enumerate(body.cases)]

    async with service.unit_of_work() as uow:

        async def work() -> tuple[int, object]:
            batch = await reg.open_batch(uow, ctx, who)
            outcome = await reg.register_chunk(uow, ctx, batch, items)
            await reg.complete_batch(
                uow,
                ctx,
                batch.batch_id,
                rejected=len(outcome.rejected),
                rejected_rows=reg.rejected_rows(
                    outcome.rejected, lambda i: body.cases[i].creditor_reference
                ),
            )
            out = BatchSubmissionOut(
                batch_id=batch.batch_id,
                batch_number=batch.batch_number,
                registered=[
                    RegisteredOut(
                        case_id=r.case_id,
                        case_number=r.case_number,
                        kid=r.kid,
                        creditor_reference=body.cases[r.index].creditor_reference.strip(),
                        batch_id=batch.batch_id,
                        batch_number=batch.batch_number,
                    )
                    for r in outcome.registered
                ],
                rejected=[
                    RejectedOut(
                        index=r.index,
                        creditor_reference=body.cases[r.index].creditor_reference,
                        errors=[
                            FieldErrorOut(field=e.field, reason=e.reason, code=e.code or None)
                            for e in r.errors
                        ],
                        existing_case_number=r.existing_case_number,
                    )
                    for r in outcome.rejected
                ],
            )
            return 201, out.model_dump(mode="json")

        dump = body.model_dump(mode="json")
        return await answer_post_once(uow, service, principal, request, idempotency_key, dump, work)
