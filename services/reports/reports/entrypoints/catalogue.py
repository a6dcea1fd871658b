"""``/api/v1/reports/catalogue``: the report catalogue (reports.md §5.2) and a report's
run, as a screen table (JSON, the first rows), a file (CSV, XLSX) streamed from a
server-side cursor, or a PDF (the first :data:`PDF_ROWS` rows, rendered in a worker
thread). Scoped like the documents: a creditor's users see their organisation,
agency staff every creditor (or one, ``creditor_id``). Every run is audited."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from servicekit.auth import CurrentPrincipal
from servicekit.openapi import problem_responses
from servicekit.types import StrictDate, Text
from sqlalchemy import insert

from reports.adapters.exports import csv_stream, xlsx_stream
from reports.adapters.orm import report_exports
from reports.adapters.rendering import PdfRenderer
from reports.adapters.report_pdf import report_pdf
from reports.adapters.report_queries import ReportParameters, query_for
from reports.bootstrap import ReportsService
from reports.domain.catalogue import CATALOGUE, FORMATS, ReportDefinition
from reports.domain.errors import ReportNotFound

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
OSLO = ZoneInfo("Europe/Oslo")
CHUNK = 2000
SCREEN_ROWS = 1000
PDF_ROWS = 5000
"""A PDF holds at most this many rows (about 150 pages); CSV and XLSX hold them all."""
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_renderer = PdfRenderer()


async def _service(request: Request) -> ReportsService:
    service: ReportsService = request.app.state.service
    return service


ServiceDep = Annotated[ReportsService, Depends(_service)]


class ColumnOut(BaseModel):
    code: str
    kind: Literal["text", "date", "money", "count", "percent"] = Field(
        description="money is øre in JSON, kroner in XLSX, decimal comma in CSV; percent "
        "has one decimal (null where there is no base)"
    )


class ReportDefinitionOut(BaseModel):
    code: str
    columns: list[ColumnOut]
    filters: list[str]
    period_of: str = Field(description="what period_from and period_to select on")
    formats: list[str]


class ReportTable(BaseModel):
    code: str
    columns: list[ColumnOut]
    rows: list[list[Any]]
    truncated: bool = Field(description=f"more than {SCREEN_ROWS} rows: ask for CSV or XLSX")


def _definition_out(d: ReportDefinition) -> ReportDefinitionOut:
    return ReportDefinitionOut(
        code=d.code,
        columns=[ColumnOut(code=c.code, kind=c.kind) for c in d.columns],
        filters=list(d.filters),
        period_of=d.period_of,
        formats=list(FORMATS),
    )


@router.get(
    "/catalogue",
    response_model=list[ReportDefinitionOut],
    responses=problem_responses(401),
    summary="The reports that can be run, their columns and filters",
)
async def list_reports(principal: CurrentPrincipal) -> list[ReportDefinitionOut]:
    return [_definition_out(d) for d in CATALOGUE.values()]


@router.get(
    "/catalogue/{code}",
    response_model=ReportTable,
    responses={
        200: {
            "content": {"application/json": {}, **{m: {} for m in MEDIA.values()}},
            "description": "the report: a table (JSON) or a file (CSV, XLSX, PDF)",
        },
        **problem_responses(401, 404, 422),
    },
    summary="Run a report: a screen table, CSV/XLSX streamed, or PDF (audited)",
)
async def run_report(
    code: Annotated[Text, Path(max_length=40)],
    principal: CurrentPrincipal,
    service: ServiceDep,
    format: Annotated[Literal["json", "csv", "xlsx", "pdf"], Query()] = "json",
    period_from: Annotated[StrictDate | None, Query()] = None,
    period_to: Annotated[StrictDate | None, Query()] = None,
    status: Annotated[Text | None, Query(max_length=30)] = None,
    debtor_kind: Annotated[Literal["person", "business"] | None, Query()] = None,
    batch_id: Annotated[uuid.UUID | None, Query()] = None,
    creditor_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Any:
    definition = CATALOGUE.get(code)
    if definition is None:
        raise ReportNotFound("No such report.")
    parameters = ReportParameters(
        tenant=principal.tenant,
        creditor_id=creditor_id,
        period_from=period_from,
        period_to=period_to,
        status=status,
        debtor_kind=debtor_kind,
        batch_id=batch_id,
    )
    today = datetime.now(UTC).astimezone(OSLO).date()
    query = query_for(code, parameters, today)
    async with service.session_factory() as session, session.begin():
        await session.execute(
            insert(report_exports).values(
                report=code,
                format=format,
                parameters=parameters.as_json(),
                user_id=principal.user_id,
                organisation_id=principal.organisation_id,
            )
        )
    columns = [ColumnOut(code=c.code, kind=c.kind) for c in definition.columns]
    if format == "json":
        async with service.session_factory() as session:
            rows = (await session.execute(query.limit(SCREEN_ROWS + 1))).all()
        return ReportTable(
            code=code,
            columns=columns,
            rows=[list(r) for r in rows[:SCREEN_ROWS]],
            truncated=len(rows) > SCREEN_ROWS,
        )
    stamp = today.isoformat()
    disposition = {"Content-Disposition": f'attachment; filename="{code}-{stamp}.{format}"'}
    if format == "pdf":
        async with service.session_factory() as session:
            rows = (await session.execute(query.limit(PDF_ROWS + 1))).all()
        content = await asyncio.to_thread(
            report_pdf,
            _renderer,
            definition,
            rows[:PDF_ROWS],
            filters=parameters.as_json(),
            generated_at=datetime.now(UTC),
            truncated=len(rows) > PDF_ROWS,
        )
        return Response(content, media_type=MEDIA["pdf"], headers=disposition)

    async def chunks() -> AsyncIterator[Sequence[Sequence[Any]]]:
        async with service.session_factory() as session:
            result = await session.stream(query.execution_options(yield_per=CHUNK))
            async for partition in result.partitions(CHUNK):
                yield partition

    writer = csv_stream if format == "csv" else xlsx_stream
    return StreamingResponse(
        writer(definition.columns, chunks()), media_type=MEDIA[format], headers=disposition
    )
