"""``/api/v1/reports/saved-reports`` and ``/report-runs``: saved report definitions
(«Lagrede rapporter»), their schedules, and runs written in the background by the
``reports-worker``. Scoped like the documents: a creditor's users see their
organisation's; agency staff every creditor's (and name the creditor when they save or
run one). Another creditor's saved report or run is 404."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from servicekit.auth import CurrentPrincipal
from servicekit.idempotency import HEADER, MAX_KEY_LENGTH, answer_once, fingerprint
from servicekit.openapi import problem_responses
from servicekit.text import NotBlank
from servicekit.tokens import Principal
from servicekit.types import StrictDate, Text
from sqlalchemy import Row

from reports.adapters.orm import idempotency_keys
from reports.adapters.run_store import SavedReportStore
from reports.bootstrap import ReportsService
from reports.domain.errors import (
    CreditorRequired,
    ReportRunNotFound,
    SavedReportNotFound,
    ScheduleNotFound,
)
from reports.domain.saved_reports import Definition, FileFormat, Frequency, definition

router = APIRouter(prefix="/api/v1/reports", tags=["saved reports"])


async def _service(request: Request) -> ReportsService:
    service: ReportsService = request.app.state.service
    return service


ServiceDep = Annotated[ReportsService, Depends(_service)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=r"^[\x20-\x7e]+$",  # what servicekit.idempotency takes: printable ASCII
        description="Send a unique key to make a retry safe: the same key returns the first answer",
    ),
]


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period_from: StrictDate | None = None
    period_to: StrictDate | None = None
    status: Text | None = Field(default=None, max_length=30)
    debtor_kind: Literal["person", "business"] | None = None
    batch_id: uuid.UUID | None = None

    def as_strings(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump().items() if v is not None}


class DefinitionIn(BaseModel):
    report: Text = Field(max_length=40, description="a catalogue code")
    filters: Filters = Field(default_factory=Filters)
    columns: list[Annotated[Text, Field(max_length=40)]] = Field(
        default_factory=list, max_length=50, description="none = all"
    )
    format: FileFormat = "xlsx"
    creditor_id: uuid.UUID | None = Field(
        default=None, description="agency staff: the creditor it is for (others: their own)"
    )


class SavedReportIn(DefinitionIn):
    name: Annotated[Text, NotBlank] = Field(min_length=1, max_length=100)


class RenameIn(BaseModel):
    name: Annotated[Text, NotBlank] = Field(min_length=1, max_length=100)


class ScheduleIn(BaseModel):
    frequency: Frequency
    notify_email: EmailStr | None = Field(
        default=None, description="gets «a report is ready» (a link, never the content)"
    )


class ScheduleOut(BaseModel):
    schedule_id: uuid.UUID
    frequency: Frequency
    next_run_at: datetime
    notify: bool = Field(description="a «ready» mail is sent (the address is not shown)")


class SavedReportOut(BaseModel):
    saved_report_id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    report: str
    filters: dict[str, str]
    columns: list[str]
    format: FileFormat
    created_at: datetime
    schedules: list[ScheduleOut]


class SavedReportList(BaseModel):
    items: list[SavedReportOut]


class ReportRunOut(BaseModel):
    run_id: uuid.UUID
    organisation_id: uuid.UUID
    saved_report_id: uuid.UUID | None
    scheduled: bool
    report: str
    format: str
    status: Literal["queued", "running", "done", "failed"]
    rows_written: int
    rows_total: int | None
    error: str | None
    document_id: uuid.UUID | None
    content_url: str | None
    created_at: datetime
    finished_at: datetime | None


class ReportRunList(BaseModel):
    items: list[ReportRunOut]


def _schedule_out(row: Row[Any]) -> ScheduleOut:
    return ScheduleOut(
        schedule_id=row.schedule_id,
        frequency=row.frequency,
        next_run_at=row.next_run_at,
        notify=row.notify_email is not None,
    )


def _saved_out(row: Row[Any], schedules: list[Row[Any]]) -> SavedReportOut:
    return SavedReportOut(
        saved_report_id=row.saved_report_id,
        organisation_id=row.organisation_id,
        name=row.name,
        report=row.report,
        filters=row.filters,
        columns=row.columns,
        format=row.format,
        created_at=row.created_at,
        schedules=[_schedule_out(s) for s in schedules if s.saved_report_id == row.saved_report_id],
    )


def _run_out(row: Row[Any]) -> ReportRunOut:
    return ReportRunOut(
        run_id=row.run_id,
        organisation_id=row.organisation_id,
        saved_report_id=row.saved_report_id,
        scheduled=row.schedule_id is not None or row.scheduled_for is not None,
        report=row.report,
        format=row.format,
        status=row.status,
        rows_written=row.rows_written,
        rows_total=row.rows_total,
        error=row.error,
        document_id=row.document_id,
        content_url=(
            f"/api/v1/reports/documents/{row.document_id}/content" if row.document_id else None
        ),
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def _organisation(principal: Principal, creditor_id: uuid.UUID | None) -> uuid.UUID:
    """The creditor a new saved report or run is for: the caller's own, or (agency staff)
    the one named."""
    if principal.tenant is not None:
        return principal.tenant
    if creditor_id is None:
        raise CreditorRequired()
    return creditor_id


def _definition(body: DefinitionIn) -> Definition:
    return definition(body.report, body.filters.as_strings(), body.columns, body.format)


async def _once(
    service: ReportsService,
    principal: Principal,
    request: Request,
    key: str | None,
    body: dict[str, Any],
    work: Any,
) -> JSONResponse:
    """A POST's answer, once per caller and Idempotency-Key (stored with its effect)."""
    async with service.session_factory() as session, session.begin():
        answer = await answer_once(
            session,
            idempotency_keys,
            scope=str(principal.user_id),
            key=key,
            request_fingerprint=fingerprint("POST", request.url.path, body),
            work=lambda: work(SavedReportStore(session)),
        )
    return JSONResponse(answer.body, status_code=answer.status_code)


async def _saved(store: SavedReportStore, saved_report_id: uuid.UUID, p: Principal) -> Row[Any]:
    row = await store.get(saved_report_id, p.tenant)
    if row is None:
        raise SavedReportNotFound("No such saved report.")
    return row


@router.get(
    "/saved-reports",
    response_model=SavedReportList,
    responses=problem_responses(401),
    summary="The saved reports of the caller's organisation (agency staff: every creditor's)",
)
async def list_saved_reports(
    principal: CurrentPrincipal,
    service: ServiceDep,
    creditor_id: Annotated[uuid.UUID | None, Query()] = None,
) -> SavedReportList:
    async with service.session_factory() as session:
        store = SavedReportStore(session)
        rows = await store.all(principal.tenant, creditor_id)
        schedules = await store.schedules([r.saved_report_id for r in rows])
    return SavedReportList(items=[_saved_out(r, schedules) for r in rows])


@router.post(
    "/saved-reports",
    status_code=201,
    response_model=SavedReportOut,
    responses=problem_responses(401, 404, 422),
    summary="Save a report definition (name, report, filters, columns, format)",
)
async def save_report(
    body: SavedReportIn,
    principal: CurrentPrincipal,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    organisation = _organisation(principal, body.creditor_id)
    d = _definition(body)

    async def work(store: SavedReportStore) -> tuple[int, Any]:
        saved_report_id = uuid.uuid4()
        await store.add(saved_report_id, organisation, body.name, d, principal.user_id)
        row = await _saved(store, saved_report_id, principal)
        return 201, _saved_out(row, []).model_dump(mode="json")

    return await _once(
        service, principal, request, idempotency_key, body.model_dump(mode="json"), work
    )


@router.get(
    "/saved-reports/{saved_report_id}",
    response_model=SavedReportOut,
    responses=problem_responses(401, 404),
    summary="One saved report with its schedules",
)
async def get_saved_report(
    saved_report_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> SavedReportOut:
    async with service.session_factory() as session:
        store = SavedReportStore(session)
        row = await _saved(store, saved_report_id, principal)
        return _saved_out(row, await store.schedules([saved_report_id]))


@router.patch(
    "/saved-reports/{saved_report_id}",
    response_model=SavedReportOut,
    responses=problem_responses(401, 404, 422),
    summary="Rename a saved report",
)
async def rename_saved_report(
    saved_report_id: uuid.UUID, body: RenameIn, principal: CurrentPrincipal, service: ServiceDep
) -> SavedReportOut:
    async with service.session_factory() as session, session.begin():
        store = SavedReportStore(session)
        await _saved(store, saved_report_id, principal)
        await store.rename(saved_report_id, body.name)
        row = await _saved(store, saved_report_id, principal)
        return _saved_out(row, await store.schedules([saved_report_id]))


@router.delete(
    "/saved-reports/{saved_report_id}",
    status_code=204,
    responses=problem_responses(401, 404),
    summary="Delete a saved report and its schedules (its runs and documents stay)",
)
async def delete_saved_report(
    saved_report_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> Response:
    async with service.session_factory() as session, session.begin():
        store = SavedReportStore(session)
        await _saved(store, saved_report_id, principal)
        await store.remove(saved_report_id)
    return Response(status_code=204)


@router.post(
    "/saved-reports/{saved_report_id}/schedules",
    status_code=201,
    response_model=ScheduleOut,
    responses=problem_responses(401, 404, 422),
    summary="Schedule a saved report daily, weekly or monthly (06:00 Oslo time)",
)
async def add_schedule(
    saved_report_id: uuid.UUID,
    body: ScheduleIn,
    principal: CurrentPrincipal,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def work(store: SavedReportStore) -> tuple[int, Any]:
        saved = await _saved(store, saved_report_id, principal)
        schedule_id = uuid.uuid4()
        await store.add_schedule(
            schedule_id,
            saved,
            body.frequency,
            str(body.notify_email) if body.notify_email else None,
            principal.user_id,
            datetime.now(UTC),
        )
        row = next(
            s for s in await store.schedules([saved_report_id]) if s.schedule_id == schedule_id
        )
        return 201, _schedule_out(row).model_dump(mode="json")

    return await _once(
        service, principal, request, idempotency_key, body.model_dump(mode="json"), work
    )


@router.delete(
    "/saved-reports/{saved_report_id}/schedules/{schedule_id}",
    status_code=204,
    responses=problem_responses(401, 404),
    summary="Remove a schedule",
)
async def remove_schedule(
    saved_report_id: uuid.UUID,
    schedule_id: uuid.UUID,
    principal: CurrentPrincipal,
    service: ServiceDep,
) -> Response:
    async with service.session_factory() as session, session.begin():
        store = SavedReportStore(session)
        await _saved(store, saved_report_id, principal)
        if not await store.remove_schedule(saved_report_id, schedule_id):
            raise ScheduleNotFound("No such schedule.")
    return Response(status_code=204)


@router.post(
    "/saved-reports/{saved_report_id}/runs",
    status_code=202,
    response_model=ReportRunOut,
    responses=problem_responses(401, 404),
    summary="Run a saved report in the background (follow it under /report-runs)",
)
async def run_saved_report(
    saved_report_id: uuid.UUID,
    principal: CurrentPrincipal,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def work(store: SavedReportStore) -> tuple[int, Any]:
        saved = await _saved(store, saved_report_id, principal)
        d = Definition(saved.report, dict(saved.filters), tuple(saved.columns), saved.format)
        run_id = uuid.uuid4()
        await store.queue_run(
            run_id,
            saved.organisation_id,
            d,
            saved_report_id=saved_report_id,
            requested_by=principal.user_id,
        )
        return 202, _run_out(await _run(store, run_id, principal)).model_dump(mode="json")

    return await _once(service, principal, request, idempotency_key, {}, work)


@router.post(
    "/report-runs",
    status_code=202,
    response_model=ReportRunOut,
    responses=problem_responses(401, 404, 422),
    summary="Run a catalogue report in the background (a file, as a document when done)",
)
async def run_in_background(
    body: DefinitionIn,
    principal: CurrentPrincipal,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    organisation = _organisation(principal, body.creditor_id)
    d = _definition(body)

    async def work(store: SavedReportStore) -> tuple[int, Any]:
        run_id = uuid.uuid4()
        await store.queue_run(
            run_id, organisation, d, saved_report_id=None, requested_by=principal.user_id
        )
        return 202, _run_out(await _run(store, run_id, principal)).model_dump(mode="json")

    return await _once(
        service, principal, request, idempotency_key, body.model_dump(mode="json"), work
    )


async def _run(store: SavedReportStore, run_id: uuid.UUID, p: Principal) -> Row[Any]:
    row = await store.run(run_id, p.tenant)
    if row is None:
        raise ReportRunNotFound("No such report run.")
    return row


@router.get(
    "/report-runs",
    response_model=ReportRunList,
    responses=problem_responses(401),
    summary="Report runs, newest first (the caller's organisation; agency staff every one)",
)
async def list_runs(
    principal: CurrentPrincipal,
    service: ServiceDep,
    saved_report_id: Annotated[uuid.UUID | None, Query()] = None,
    creditor_id: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReportRunList:
    async with service.session_factory() as session:
        rows = await SavedReportStore(session).runs(
            principal.tenant, creditor_id, saved_report_id, limit
        )
    return ReportRunList(items=[_run_out(r) for r in rows])


@router.get(
    "/report-runs/{run_id}",
    response_model=ReportRunOut,
    responses=problem_responses(401, 404),
    summary="One report run: status and progress (rows written of rows total)",
)
async def get_run(
    run_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> ReportRunOut:
    async with service.session_factory() as session:
        return _run_out(await _run(SavedReportStore(session), run_id, principal))
