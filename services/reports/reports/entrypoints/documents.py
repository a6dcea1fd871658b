"""``/api/v1/reports/documents``: a creditor's documents (order confirmations, settlement
statements, posting proposals), each one's metadata, its download and a ZIP of several.

Scoped by the organisation in the token: a creditor's users see their organisation's
documents only (another's is 404, never 403); agency staff see every creditor's and may
filter by ``creditor_id``. Every download is audited.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import AwareDatetime, BaseModel, Field
from servicekit.auth import CurrentPrincipal
from servicekit.idempotency import IdempotencyKeyHeader, post_once
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.tokens import Principal
from servicekit.types import StrictDate, Text

from reports import views
from reports.adapters.document_store import DocumentFilter, DocumentStore
from reports.adapters.orm import idempotency_keys
from reports.adapters.projections import ProjectionStore
from reports.adapters.zip_stream import zip_stream
from reports.bootstrap import ReportsService
from reports.domain.errors import DocumentNotFound, InvalidAsOf
from reports.entrypoints.schemas import DocumentKindOut, DocumentOut, DocumentPage
from reports.service_layer import downloads
from reports.service_layer.issuing import issue_case_statement

OSLO = ZoneInfo("Europe/Oslo")
PREFIX = "/api/v1/reports"
router = APIRouter(prefix=PREFIX, tags=["documents"])


async def _service(request: Request) -> ReportsService:
    service: ReportsService = request.app.state.service
    return service


ServiceDep = Annotated[ReportsService, Depends(_service)]
Kinds = Annotated[
    list[DocumentKindOut] | None, Query(alias="kind", description="one or more kinds")
]
PeriodFrom = Annotated[StrictDate | None, Query(description="issued on or after (Europe/Oslo)")]
PeriodTo = Annotated[StrictDate | None, Query(description="issued on or before (Europe/Oslo)")]
CreditorId = Annotated[
    uuid.UUID | None, Query(description="agency staff: one creditor's documents only")
]
SourceId = Annotated[
    uuid.UUID | None,
    Query(description="the batch, settlement or case documented (a case: its letters)"),
]


def document_out(row: dict[str, Any]) -> DocumentOut:
    return DocumentOut.model_validate(
        {**row, "content_url": f"{PREFIX}/documents/{row['document_id']}/content"}
    )


def _filter(
    principal: Principal,
    kinds: list[DocumentKindOut] | None,
    period_from: date | None,
    period_to: date | None,
    creditor_id: uuid.UUID | None,
    source_id: uuid.UUID | None,
    ids: list[uuid.UUID] | None = None,
) -> DocumentFilter:
    return DocumentFilter(
        tenant=principal.tenant,
        creditor_id=creditor_id,
        kinds=tuple(kinds or ()),
        period_from=period_from,
        period_to=period_to,
        source_id=source_id,
        document_ids=tuple(ids or ()),
    )


def _downloader(principal: Principal) -> downloads.Downloader:
    return downloads.Downloader(
        user_id=principal.user_id,
        organisation_id=principal.organisation_id,
        tenant=principal.tenant,
    )


def _attachment(file_name: str) -> str:
    return f"attachment; filename=\"{file_name}\"; filename*=UTF-8''{quote(file_name)}"


@router.get(
    "/documents",
    dependencies=[client_scope(Scopes.DOCUMENTS_READ)],
    response_model=DocumentPage,
    responses=problem_responses(401, 422),
    summary="Documents issued to the caller's organisation, newest first",
    description=(
        "Order confirmations, settlement statements and posting proposals; filtered by kind, "
        "the period they were issued in, the batch or settlement (`source_id`) and, for agency "
        "staff, the creditor. Keyset-paginated: pass `next_cursor` as `cursor`."
    ),
)
async def list_documents(
    principal: CurrentPrincipal,
    service: ServiceDep,
    kind: Kinds = None,
    period_from: PeriodFrom = None,
    period_to: PeriodTo = None,
    creditor_id: CreditorId = None,
    source_id: SourceId = None,
    cursor: Annotated[Text | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    updated_since: Annotated[
        AwareDatetime | None,
        Query(
            description="Issued at or after this instant (ISO 8601 with a UTC offset). "
            "Documents never change: a correction is a credit note and a replacement, new "
            "documents naming the one they correct (`corrects`)."
        ),
    ] = None,
) -> DocumentPage:
    selection = _filter(principal, kind, period_from, period_to, creditor_id, source_id)
    selection = dataclasses.replace(selection, issued_since=updated_since)
    items, next_cursor = await views.documents(
        service.read_sessions, selection, cursor=cursor, limit=limit
    )
    return DocumentPage(items=[document_out(i) for i in items], next_cursor=next_cursor)


@router.get(
    "/documents/archive",
    dependencies=[client_scope(Scopes.DOCUMENTS_READ)],
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/zip": {}}, "description": "the documents as one ZIP"},
        **problem_responses(401, 422),
    },
    summary="Several documents as one ZIP (streamed)",
    description=(
        "The documents named by `id` (repeat it), or, without `id`, every document the filters "
        "select («Inkluder alle»); at most `REPORTS_ZIP_MAX_DOCUMENTS` (2,000). Each document "
        "handed out is audited."
    ),
)
async def download_archive(
    principal: CurrentPrincipal,
    service: ServiceDep,
    document_id: Annotated[
        list[uuid.UUID] | None, Query(alias="id", description="documents to include")
    ] = None,
    kind: Kinds = None,
    period_from: PeriodFrom = None,
    period_to: PeriodTo = None,
    creditor_id: CreditorId = None,
    source_id: SourceId = None,
) -> StreamingResponse:
    selection = _filter(
        principal, kind, period_from, period_to, creditor_id, source_id, document_id
    )
    async with service.unit_of_work() as uow:
        chosen = await downloads.select_for_archive(
            uow, selection, _downloader(principal), limit=service.settings.zip_max_documents
        )

    async def content_of(index: int) -> bytes:
        async with service.session_factory() as session:
            return await DocumentStore(session).content(chosen[index]["document_id"])

    async def body() -> AsyncIterator[bytes]:
        members = [(d["file_name"], d["issued_at"]) for d in chosen]
        async for chunk in zip_stream(members, content_of):
            if chunk:
                yield chunk

    return StreamingResponse(
        body(),
        media_type="application/zip",
        headers={"Content-Disposition": _attachment("dokumenter.zip")},
    )


@router.get(
    "/documents/{document_id}",
    dependencies=[client_scope(Scopes.DOCUMENTS_READ)],
    response_model=DocumentOut,
    responses=problem_responses(401, 404),
    summary="One document's metadata",
)
async def get_document(
    document_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> DocumentOut:
    row = await views.document(service.session_factory, document_id, principal.tenant)
    if row is None:
        raise DocumentNotFound("No such document.")
    return document_out(row)


@router.get(
    "/documents/{document_id}/content",
    dependencies=[client_scope(Scopes.DOCUMENTS_READ)],
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}, "text/csv": {}},
            "description": "the document as issued (its SHA-256 in the ETag)",
        },
        **problem_responses(401, 404),
    },
    summary="Download a document (audited)",
)
async def download_document(
    document_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep
) -> Response:
    async with service.unit_of_work() as uow:
        row, content = await downloads.download(uow, document_id, _downloader(principal))
    return Response(
        content,
        media_type=row["media_type"],
        headers={
            "Content-Disposition": _attachment(row["file_name"]),
            "ETag": f'"{row["sha256"]}"',
            "Cache-Control": "private, no-store",
        },
    )


class CaseStatementIn(BaseModel):
    case_id: uuid.UUID
    as_of: StrictDate | None = Field(
        default=None, description="the business date (Europe/Oslo); default today"
    )


@router.post(
    "/case-statements",
    status_code=201,
    response_model=DocumentOut,
    responses={200: {"model": DocumentOut, "description": "issued before for that date"},
               **problem_responses(401, 404, 422)},
    summary="A case's statement (saksoppstilling) as of a date, issued as a document",
    description=(
        "The claims, every payment up to the date and how it was split, and the balance as "
        "booked on it. One statement per case and date: asking again answers the one issued "
        "(200), so the request is safe to repeat. Rendered outside the event loop. An "
        "`Idempotency-Key` replays the first answer (201 included); with another request it "
        "is 422 `idempotency-key-reused`."
    ),
)  # fmt: skip
async def post_case_statement(
    body: CaseStatementIn,
    principal: CurrentPrincipal,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    today = datetime.now(UTC).astimezone(OSLO).date()
    as_of = body.as_of or today
    if as_of > today:
        raise InvalidAsOf()
    uow = service.unit_of_work()

    async def work() -> tuple[int, Any]:
        async with uow:
            document_id, issued = await issue_case_statement(
                ProjectionStore(uow.session),
                DocumentStore(uow.session),
                service.issuer,
                body.case_id,
                as_of,
                principal.tenant,
            )
            await uow.commit()  # only a flush inside an Idempotency-Key's transaction
            row = await views.document_in(uow.session, document_id, principal.tenant)
        assert row is not None
        return 201 if issued else 200, document_out(row).model_dump(mode="json")

    return await post_once(
        uow,
        idempotency_keys,
        scope=str(principal.user_id),
        key=idempotency_key,
        request=request,
        body=body.model_dump(mode="json"),
        work=work,
    )
