"""``/api/v1/cases/imports``: upload case files, follow their import, get the error report.

Creditors (``creditor``, ``creditor_admin``) upload for their own organisation and see
its jobs only; case handlers and agency administrators see every job. A job of another
organisation answers 404, like one that does not exist.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field
from servicekit.errors import DomainError, NotFound
from servicekit.idempotency import IdempotencyKeys, fingerprint
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.tokens import Principal
from servicekit.types import Limit, Text
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect

from cases.adapters.import_files import exports, job_store
from cases.adapters.import_files.job_store import ErrorRow, JobView
from cases.adapters.orm import idempotency_keys
from cases.bootstrap import CasesService
from cases.domain.import_layout import COLUMNS
from cases.entrypoints.deps import AnyUser, CreditorUser, IdempotencyKey, ServiceDep
from cases.service_layer import imports

EVENTS_POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
"""An SSE comment at least this often (the gateway's read timeout is 30 s)."""
EXPORT_PAGE = 5000


router = APIRouter(prefix="/api/v1/cases/imports", tags=["imports"])


class InvalidCursor(DomainError):
    status, type, title = 422, "invalid-cursor", "Invalid cursor"


# -- bodies ----------------------------------------------------------------------------------


class ImportJobOut(BaseModel):
    job_id: uuid.UUID
    status: Literal["queued", "running", "completed", "failed"] = Field(
        description="queued → running → completed (or failed: see `error`)"
    )
    format: Literal["csv", "xlsx", "json"]
    filename: str | None
    size_bytes: int
    rows_read: int = Field(description="Rows read so far (JSON: cases)")
    rows_accepted: int = Field(description="Rows whose case was registered")
    rows_rejected: int = Field(description="Rows refused: each is in the error report")
    cases_registered: int
    cases_rejected: int
    encoding: str | None = Field(default=None, description="A CSV's encoding, as read")
    delimiter: str | None = Field(default=None, description="A CSV's delimiter, as found")
    ignored_columns: list[str] = Field(
        default_factory=list, description="Columns of the file that are not in the layout"
    )
    error: str | None = Field(description="Why the import failed (status `failed`)")
    batch_id: uuid.UUID | None = Field(description="The registration batch of the import")
    batch_number: str | None = Field(description="Its number (on the order confirmation)")
    creditor_id: uuid.UUID
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, view: JobView) -> ImportJobOut:
        facts = view.facts
        return cls(
            job_id=view.job_id,
            status=view.status,
            format=view.format,
            filename=view.filename,
            size_bytes=view.size_bytes,
            rows_read=view.rows_read,
            rows_accepted=view.rows_accepted,
            rows_rejected=view.rows_rejected,
            cases_registered=view.cases_registered,
            cases_rejected=view.cases_rejected,
            encoding=facts.get("encoding"),
            delimiter=facts.get("delimiter"),
            ignored_columns=list(facts.get("ignored_columns") or []),
            error=view.error,
            batch_id=view.batch_id,
            batch_number=view.batch_number,
            creditor_id=view.creditor_id,
            created_at=view.created_at,
            started_at=view.started_at,
            finished_at=view.finished_at,
            updated_at=view.updated_at,
        )


class ImportJobPage(BaseModel):
    items: list[ImportJobOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class RowErrorOut(BaseModel):
    line: int = Field(description="The file's line (XLSX: row; JSON: the case's position, from 1)")
    column: str = Field(description="The column (JSON: the field's path)")
    reason: str = Field(description="Why, in English (a description for developers)")
    code: str = Field(
        description="The reason's stable code, stored with the row where the problem was "
        "found, for clients that translate; the error files write it in their language "
        "(`invalid_value` only for a problem without a code of its own)"
    )
    values: dict[str, str] = Field(
        default_factory=dict,
        max_length=5,
        description='The values the code\'s words need, as text: `{"line": "7"}` for '
        "`differs_from_line`, `limit` for `too_long`, `case_number` for `already_registered`",
    )
    creditor_reference: str | None


class RowErrorPage(BaseModel):
    items: list[RowErrorOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class EventStreamResponse(StreamingResponse):
    media_type = "text/event-stream"


class CsvResponse(StreamingResponse):
    media_type = exports.CSV_MEDIA_TYPE


class XlsxResponse(Response):
    media_type = exports.XLSX_MEDIA_TYPE


def _binary(description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description}}


# -- upload ----------------------------------------------------------------------------------

_LAYOUT = "\n".join(
    f"- `{c.name}`{' (required)' if c.required else ''}: {c.description}" for c in COLUMNS
)
_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.post(
    "",
    dependencies=[client_scope(Scopes.CASES_WRITE)],
    status_code=202,
    response_model=ImportJobOut,
    responses=problem_responses(409, 413, 415, 422),
    summary="Upload a case file (CSV, XLSX or JSON) to import",
    description=(
        "The request body is the file itself (not a form), streamed: CSV (`text/csv`; "
        "UTF-8 or Windows-1252, `;` or `,`), XLSX (first sheet) or JSON (an array of cases "
        "shaped as the registration body). The format comes from `format`, else the "
        "Content-Type, else the file's first bytes. The answer is the queued job; follow it "
        "with `GET /imports/{job_id}` or its `/events`. One row is one claim; consecutive "
        "rows with the same `creditor_reference` are one case. Columns (the first row is "
        f"the header; other columns are ignored):\n\n{_LAYOUT}\n\nSee docs/cases-import.md."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": _BINARY,
                exports.XLSX_MEDIA_TYPE: _BINARY,
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"type": "object"},
                        "description": "Cases, each shaped as the registration body",
                    }
                },
                "application/octet-stream": _BINARY,
            },
        }
    },
)
async def upload(
    request: Request,
    response: Response,
    principal: CreditorUser,
    service: ServiceDep,
    file_format: Annotated[
        Literal["csv", "xlsx", "json"] | None,
        Query(alias="format", description="csv, xlsx or json (default: from the Content-Type)"),
    ] = None,
    filename: Annotated[str | None, Query(max_length=255, pattern=r"^[^\x00-\x1f]*$")] = None,
    encoding: Annotated[
        Literal["utf-8", "windows-1252", "iso-8859-1"] | None,
        Query(description="A CSV's encoding, when not UTF-8 (default: detected)"),
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    creditor_id = principal.organisation_id
    scope = f"import:{creditor_id}:{principal.user_id}"
    body = imports.Upload(
        creditor_id=creditor_id,
        user_id=principal.user_id,
        format=file_format,
        media_type=request.headers.get("content-type"),
        filename=filename,
        encoding=encoding,
    )
    async with service.unit_of_work() as uow:
        try:
            job_id, _, sha256 = await imports.store_upload(
                uow,
                body,
                request.stream(),
                max_bytes=service.settings.import_max_upload_bytes,
            )
        except ClientDisconnect:
            raise imports.InvalidUpload("The upload was interrupted.") from None
        if idempotency_key is not None:
            keys = IdempotencyKeys(uow.session, idempotency_keys)
            request_print = fingerprint(
                "POST",
                request.url.path,
                {"sha256": sha256, "format": file_format, "filename": filename, "enc": encoding},
            )
            stored = await keys.begin(scope, idempotency_key, request_print)
            if stored is not None:
                await uow.rollback()
                response.status_code = stored.status_code
                response.headers["Location"] = f"{router.prefix}/{stored.body['job_id']}"
                return stored.body
        view = await job_store.get(uow.session, job_id, tenant=None)
        assert view is not None
        answer = ImportJobOut.of(view).model_dump(mode="json")
        if idempotency_key is not None:
            await keys.complete(scope, idempotency_key, 202, answer)
        await uow.commit()
    response.headers["Location"] = f"{router.prefix}/{job_id}"
    return answer


# -- templates (before /{job_id}) ------------------------------------------------------------

FileLanguage = Annotated[
    Literal["en", "nb"],
    Query(
        description="`nb`: bokmål headers (`Referanse;Navn;…`, also accepted on upload), "
        "help sheet and error-report column names; `en`: the layout's English keys"
    ),
]


@router.get(
    "/template.csv",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_class=CsvResponse,
    responses=_binary("The CSV template: the header and an example row"),
    summary="The CSV template of the import layout",
)
async def template_csv(principal: AnyUser, lang: FileLanguage = "en") -> Response:
    return Response(
        exports.template_csv(lang),
        media_type=exports.CSV_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="infocenter-cases.csv"'},
    )


@router.get(
    "/template.xlsx",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_class=XlsxResponse,
    responses=_binary("The XLSX template, with a sheet that explains the columns"),
    summary="The XLSX template of the import layout",
)
async def template_xlsx(principal: AnyUser, lang: FileLanguage = "en") -> Response:
    return Response(
        exports.template_xlsx(lang),
        media_type=exports.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="infocenter-cases.xlsx"'},
    )


# -- jobs ------------------------------------------------------------------------------------


def _encode_cursor(view: JobView) -> str:
    raw = f"{view.created_at.isoformat()}|{view.job_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, job_id = raw.partition("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("no time zone")
        return moment, uuid.UUID(job_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor(
            "The cursor is not one this API gave.",
            errors=[{"field": "cursor", "reason": "is not valid"}],
        ) from None


@router.get(
    "",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=ImportJobPage,
    responses=problem_responses(422),
    summary="Import jobs, newest first (creditors: their own)",
)
async def list_jobs(
    principal: AnyUser,
    service: ServiceDep,
    status: Literal["queued", "running", "completed", "failed"] | None = None,
    cursor: Annotated[Text | None, Query(max_length=200)] = None,
    limit: Annotated[Limit, Query(le=200)] = 50,
) -> ImportJobPage:
    after = _decode_cursor(cursor) if cursor else None
    async with service.session_factory() as session:
        views = await job_store.page(
            session, tenant=principal.tenant, after=after, limit=limit + 1, status=status
        )
    more = len(views) > limit
    views = views[:limit]
    return ImportJobPage(
        items=[ImportJobOut.of(v) for v in views],
        next_cursor=_encode_cursor(views[-1]) if more else None,
    )


async def _job(service: CasesService, principal: Principal, job_id: uuid.UUID) -> JobView:
    async with service.session_factory() as session:
        view = await job_store.get(session, job_id, tenant=principal.tenant)
    if view is None:
        raise NotFound("No such import job.")
    return view


@router.get(
    "/{job_id}",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=ImportJobOut,
    responses=problem_responses(404),
    summary="One import job and its progress",
)
async def get_job(job_id: uuid.UUID, principal: AnyUser, service: ServiceDep) -> ImportJobOut:
    return ImportJobOut.of(await _job(service, principal, job_id))


@router.get(
    "/{job_id}/events",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_class=EventStreamResponse,
    responses={
        200: {
            "description": (
                "Server-Sent Events: `progress` whenever the counts change, then one "
                "`completed` or `failed`, and the stream ends; a comment line keeps it open"
            )
        },
        **problem_responses(404),
    },
    summary="The job's progress as a stream (Server-Sent Events)",
)
async def job_events(
    job_id: uuid.UUID, request: Request, principal: AnyUser, service: ServiceDep
) -> EventStreamResponse:
    await _job(service, principal, job_id)

    async def stream() -> AsyncIterator[str]:
        last: str | None = None
        quiet = 0.0
        yield "retry: 2000\n\n"
        while True:
            async with service.session_factory() as session:
                view = await job_store.get(session, job_id, tenant=principal.tenant)
            if view is None:
                return
            payload = ImportJobOut.of(view).model_dump_json()
            if payload != last:
                yield f"event: progress\ndata: {payload}\n\n"
                last, quiet = payload, 0.0
            if view.status in ("completed", "failed"):
                yield f"event: {view.status}\ndata: {payload}\n\n"
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(EVENTS_POLL_SECONDS)
            quiet += EVENTS_POLL_SECONDS
            if quiet >= KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                quiet = 0.0

    return EventStreamResponse(
        stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


@router.get(
    "/{job_id}/errors",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=RowErrorPage,
    responses=problem_responses(404, 422),
    summary="The job's error report: every refused row, by line and column",
)
async def job_errors(
    job_id: uuid.UUID,
    principal: AnyUser,
    service: ServiceDep,
    cursor: Annotated[str | None, Query(max_length=18, pattern=r"^\d+$")] = None,
    limit: Annotated[Limit, Query(le=1000)] = 100,
) -> RowErrorPage:
    await _job(service, principal, job_id)
    after = int(cursor) if cursor else 0
    async with service.session_factory() as session:
        rows = await job_store.errors(session, job_id, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return RowErrorPage(
        items=[
            RowErrorOut(
                line=row.line,
                column=row.column,
                reason=row.reason,
                code=row.code,
                values=dict(row.values),
                creditor_reference=row.creditor_reference,
            )
            for _, row in rows
        ],
        next_cursor=str(rows[-1][0]) if more else None,
    )


def _report_pages(service: CasesService, job_id: uuid.UUID) -> AsyncIterator[Iterable[ErrorRow]]:
    async def pages() -> AsyncIterator[Iterable[ErrorRow]]:
        after = 0
        while True:
            async with service.session_factory() as session:
                rows = await job_store.errors(session, job_id, after=after, limit=EXPORT_PAGE)
            if not rows:
                return
            after = rows[-1][0]
            yield [r for _, r in rows]

    return pages()


@router.get(
    "/{job_id}/errors.csv",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_class=CsvResponse,
    responses={**_binary("The error report as CSV (UTF-8, `;`)"), **problem_responses(404)},
    summary="The job's error report as CSV",
)
async def job_errors_csv(
    job_id: uuid.UUID, principal: AnyUser, service: ServiceDep, lang: FileLanguage = "en"
) -> CsvResponse:
    await _job(service, principal, job_id)
    return CsvResponse(
        exports.error_report_csv(_report_pages(service, job_id), lang),
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )


@router.get(
    "/{job_id}/errors.xlsx",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_class=XlsxResponse,
    responses={**_binary("The error report as XLSX"), **problem_responses(404)},
    summary="The job's error report as XLSX",
)
async def job_errors_xlsx(
    job_id: uuid.UUID, principal: AnyUser, service: ServiceDep, lang: FileLanguage = "en"
) -> FileResponse:
    await _job(service, principal, job_id)
    directory = Path(tempfile.mkdtemp(prefix="cases-report-"))
    try:
        path = await exports.error_report_xlsx(_report_pages(service, job_id), directory, lang)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise

    def cleanup() -> None:
        with contextlib.suppress(OSError):
            shutil.rmtree(directory)

    return FileResponse(
        path,
        media_type=exports.XLSX_MEDIA_TYPE,
        filename=f"import-{job_id}-errors.xlsx",
        background=BackgroundTask(cleanup),
    )
