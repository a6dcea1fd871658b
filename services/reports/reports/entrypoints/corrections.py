"""``POST /api/v1/reports/documents/{id}/corrections``: an agency administrator corrects
an issued settlement statement with a reason from a fixed list; the service issues its
credit note (kreditnota) and, for master data, a replacement statement. The statement
stays as issued. ``Idempotency-Key`` makes a retry answer the first correction."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from servicekit.auth import require_agency_admin
from servicekit.idempotency import HEADER, MAX_KEY_LENGTH, answer_once, fingerprint
from servicekit.openapi import problem_responses
from servicekit.tokens import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from reports import views
from reports.adapters.document_store import DocumentStore
from reports.adapters.orm import idempotency_keys
from reports.adapters.projections import ProjectionStore
from reports.entrypoints.documents import PREFIX, ServiceDep, document_out
from reports.entrypoints.schemas import CorrectionIn, CorrectionOut
from reports.service_layer.corrections import Correction, correct_statement

router = APIRouter(prefix=PREFIX, tags=["documents"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=r"^[\x20-\x7e]+$",
        description="Send a unique key to make a retry safe: the same key returns the first answer",
    ),
]
AgencyAdmin = Annotated[Principal, Depends(require_agency_admin)]


async def _answer(session: AsyncSession, correction: Correction) -> dict[str, Any]:
    """The correction's answer, read in its own transaction (before the commit, so the
    idempotency store keeps it with the effect)."""
    store = DocumentStore(session)
    rows: list[dict[str, Any] | None] = []
    for document_id in (correction.credit_note_document_id, correction.replacement_document_id):
        row = None if document_id is None else await store.get(document_id, None)
        rows.append(None if row is None else dict(row._mapping))
    await views.with_corrections(session, [r for r in rows if r is not None])
    credit, replacement = rows
    assert credit is not None
    return CorrectionOut(
        correction_id=correction.correction_id,
        original_document_id=correction.original_document_id,
        reason=correction.reason,
        credit_note=document_out(credit),
        replacement=None if replacement is None else document_out(replacement),
        corrected_at=correction.corrected_at,
    ).model_dump(mode="json")


@router.post(
    "/documents/{document_id}/corrections",
    status_code=201,
    response_model=CorrectionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Correct an issued settlement statement: its credit note (and replacement)",
    description=(
        "Agency administrators. Issues the statement's credit note (kreditnota: every line "
        "negated, naming the statement's number and date) in the statements' gapless series "
        "and, for a reason about master data, a replacement statement naming both; each with "
        "its posting proposal. The statement itself stays as issued. A statement is credited "
        "once (`document-already-corrected`); only a settlement statement is corrected "
        "(`document-not-correctable`); a statement whose settlement was purged cannot be "
        "(`settlement-unavailable`)."
    ),
)
async def correct_document(
    document_id: uuid.UUID,
    body: CorrectionIn,
    principal: AgencyAdmin,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async with service.session_factory() as session, session.begin():

        async def work() -> tuple[int, Any]:
            correction = await correct_statement(
                ProjectionStore(session),
                DocumentStore(session),
                service.issuer,
                document_id=document_id,
                reason=body.reason,
                requested_by=principal.user_id,
            )
            return 201, await _answer(session, correction)

        answer = await answer_once(
            session,
            idempotency_keys,
            scope=str(principal.user_id),
            key=idempotency_key,
            request_fingerprint=fingerprint("POST", request.url.path, body.model_dump()),
            work=work,
        )
    return JSONResponse(answer.body, status_code=answer.status_code)
