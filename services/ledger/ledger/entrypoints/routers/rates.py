"""Rate tables: read by anyone signed in; versions added and confirmed by agency admins.

The confirmed rates in force today (``/rates/in-force``) are public, with no sign-in: the
law's figures with their sources, as the portal's front page shows them. The gateway's
rate limit for ``/api`` applies to it like to every other call.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import JSONResponse
from servicekit.auth import CurrentPrincipal
from servicekit.openapi import problem_responses
from servicekit.types import BIGINT_MAX, StrictDate, Text

from ledger.adapters.rate_store import RateStore
from ledger.entrypoints.deps import AgencyAdmin, IdempotencyKey, ServiceDep, run_command
from ledger.entrypoints.routers import PREFIX
from ledger.entrypoints.schemas import RateConfirmIn, RateIn, RateInForceOut, RateOut
from ledger.service_layer import rates as rate_handlers
from ledger.service_layer.policy import business_date
from ledger.service_layer.unit_of_work import LedgerUnitOfWork

router = APIRouter(prefix=PREFIX, tags=["rates"])


@router.get("/rates", response_model=list[RateOut], summary="Rate rows, with their versions")
async def list_rates(
    principal: CurrentPrincipal,
    service: ServiceDep,
    kind: Annotated[Text | None, Query(max_length=60, pattern=r"^[a-z0-9_]+$")] = None,
    rate_status: Annotated[
        Literal["confirmed", "unconfirmed"] | None, Query(alias="status")
    ] = None,
    on: Annotated[StrictDate | None, Query(description="rows in force from on or before")] = None,
) -> list[RateOut]:
    del principal
    async with service.session_factory() as session:
        rows = await RateStore(session).list(kind=kind, status=rate_status, on=on)
    return [RateOut.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/rates/in-force",
    response_model=list[RateInForceOut],
    summary="The confirmed rates in force today (public: no sign-in)",
    description=(
        "Every confirmed figure in force today (Europe/Oslo) with its source: for a "
        "bracketed kind (the salær tables) its newest table, for every other kind and "
        "parameter its newest version. Public knowledge, read without an access token; "
        "no ids, statuses or names."
    ),
)
async def rates_in_force(service: ServiceDep) -> list[RateInForceOut]:
    today = business_date(datetime.now(UTC))
    async with service.session_factory() as session:
        book = await RateStore(session).book()
    return [
        RateInForceOut.model_validate(r, from_attributes=True)
        for r in book.everything_in_force(today)
    ]


@router.post(
    "/rates",
    status_code=status.HTTP_201_CREATED,
    response_model=RateOut,
    responses=problem_responses(409),
    summary="Add a rate version (confirmed by the administrator, with its source)",
    description="The source must be an https page of a primary source (Lovdata, "
    "regjeringen.no, Finanstilsynet, domstol.no, Norges Bank, stortinget.no, "
    "skatteetaten.no): otherwise 422 with the field `source_url` and the code "
    "`source-not-primary` or `source-not-https`.",
)
async def post_rate(
    body: RateIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: LedgerUnitOfWork) -> tuple[int, RateOut]:
        row = await rate_handlers.add_rate(
            uow.books,
            kind=body.kind,
            effective_from=body.effective_from,
            value=body.value,
            unit=body.unit,
            parameter=body.parameter,
            source_url=str(body.source_url),
            by=principal.user_id,
        )
        return 201, RateOut.model_validate(row, from_attributes=True)

    return await run_command(service, principal, idempotency_key, request, body, work)


@router.post(
    "/rates/{rate_id}/confirmation",
    response_model=RateOut,
    responses=problem_responses(404, 409),
    summary="Confirm an unconfirmed rate row against its source (from now on it is used)",
    description="The source must be an https page of a primary source, as for a new "
    "version (else 422, `source_url`: `source-not-primary` or `source-not-https`). "
    "From now on new bookings use the row. Money already booked with the figure "
    "carried forward is moved by `python -m ledger.entrypoints.cli rate-recompute --rate "
    "<id>` (a dry run listing what moves per case; `--apply` books it by journal entries; "
    "ADR 0057).",
)
async def post_rate_confirmation(
    rate_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)],
    body: RateConfirmIn,
    request: Request,
    principal: AgencyAdmin,
    service: ServiceDep,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    async def work(uow: LedgerUnitOfWork) -> tuple[int, RateOut]:
        row = await rate_handlers.confirm_rate(
            uow.books, rate_id, source_url=str(body.source_url), by=principal.user_id
        )
        return 200, RateOut.model_validate(row, from_attributes=True)

    return await run_command(service, principal, idempotency_key, request, body, work)
