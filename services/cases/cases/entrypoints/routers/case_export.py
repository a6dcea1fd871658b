"""The filtered case list as a file (CSV or XLSX), streamed (ADR 0055)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope

from cases import views
from cases.adapters import audit, case_export
from cases.domain.case_export import FILE_STEM, ExportFormat, Language
from cases.entrypoints.deps import AnyUser, ServiceDep
from cases.entrypoints.routers.cases import case_filters

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

CHUNK = 1000
"""Rows fetched from the server-side cursor at a time (and audited together)."""


async def _rows(
    service: Any,
    principal: Any,
    filters: views.CaseFilter,
    sort: views.SortKey,
    order: views.Order,
) -> AsyncIterator[Sequence[dict[str, Any]]]:
    """The cases in chunks from a server-side cursor; each chunk is written to the audit log
    (its own transaction, committed before the chunk leaves)."""
    query = views.export_query(principal.tenant, filters, sort=sort, order=order)
    async with service.session_factory() as reading, service.session_factory() as auditing:
        result = await reading.stream(query.execution_options(yield_per=CHUNK))
        async for partition in result.mappings().partitions(CHUNK):
            rows = [dict(r) for r in partition]
            await audit.record(
                auditing,
                actor_id=principal.user_id,
                actor_organisation_id=principal.organisation_id,
                action="export_cases",
                case_ids=[r["case_id"] for r in rows],
            )
            await auditing.commit()
            yield rows


@router.get(
    "/export",
    dependencies=[client_scope(Scopes.CASES_READ)],
    responses={
        200: {
            "description": "The cases as a file",
            "content": {
                case_export.CSV_MEDIA_TYPE: {},
                case_export.XLSX_MEDIA_TYPE: {},
            },
        },
        **problem_responses(400),
    },
    summary="The filtered case list as CSV or XLSX, streamed",
    description=(
        "Every case the list's filters find (the same query parameters as `GET "
        "/api/v1/cases`, no paging), in the list's `sort` and `order`: case number, "
        "reference, debtor, status, principal, paid, balance, due date, registered. "
        "`language` names the headers and the workflow states (`nb` bokmål, `en` English). "
        "Money is in kroner with two decimals: in CSV `nb` with a decimal comma and `;` "
        "between cells, `en` with a decimal point and `,`; in XLSX a number with a number "
        "format. CSV is UTF-8 with a BOM and is sent as it is read; XLSX is written on "
        "disk in constant memory and sent when complete. Every case exported is written "
        "to the audit log."
    ),
    response_class=StreamingResponse,
)
async def export_cases(
    principal: AnyUser,
    service: ServiceDep,
    filters: Annotated[views.CaseFilter, Depends(case_filters)],
    format: Annotated[ExportFormat, Query(description="csv or xlsx")] = "csv",
    language: Annotated[Language, Query(description="nb or en")] = "nb",
    sort: views.SortKey = "registered",
    order: views.Order = "desc",
) -> StreamingResponse:
    rows = _rows(service, principal, filters, sort, order)
    name = FILE_STEM[language]
    if format == "xlsx":
        body = case_export.xlsx_stream(rows, language)
        media_type = case_export.XLSX_MEDIA_TYPE
    else:
        body = case_export.csv_stream(rows, language)
        media_type = case_export.CSV_MEDIA_TYPE
    return StreamingResponse(
        body,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{name}.{format}"',
            "cache-control": "no-store",
        },
    )
