"""Registration batches: one per submission, the content of its order confirmation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from servicekit.errors import DomainError, NotFound
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.types import Limit, Text

from cases import views
from cases.entrypoints.deps import AnyUser, ServiceDep
from cases.entrypoints.schemas import BatchCaseOut, BatchDetailOut, BatchOut, BatchPage

router = APIRouter(prefix="/api/v1/cases/batches", tags=["batches"])


class BadCursor(DomainError):
    status, type, title = 400, "invalid-cursor", "Invalid cursor"


Cursor = Annotated[Text | None, Query(max_length=500, description="From `next_cursor`")]


@router.get(
    "",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=BatchPage,
    responses=problem_responses(400),
    summary="Registration batches, newest first",
)
async def list_batches(
    principal: AnyUser,
    service: ServiceDep,
    limit: Annotated[Limit, Query(le=500)] = 50,
    cursor: Cursor = None,
) -> BatchPage:
    async with service.session_factory() as session:
        try:
            rows, next_cursor = await views.list_batches(
                session, principal.tenant, limit=limit, cursor=cursor
            )
        except views.InvalidCursor as exc:
            raise BadCursor(str(exc), errors=[{"field": "cursor", "reason": str(exc)}]) from exc
    return BatchPage(items=[BatchOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/{batch_id}",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=BatchDetailOut,
    responses=problem_responses(400, 404),
    summary="A batch with its totals and cases (the order confirmation's content)",
)
async def get_batch(
    batch_id: uuid.UUID,
    principal: AnyUser,
    service: ServiceDep,
    limit: Annotated[Limit, Query(le=1000)] = 200,
    cursor: Annotated[
        str | None, Query(max_length=18, pattern=r"^[0-9]+$", description="From `next_cursor`")
    ] = None,
) -> BatchDetailOut:
    after = None if cursor is None else int(cursor)
    async with service.session_factory() as session:
        row = await views.batch(session, principal.tenant, batch_id)
        if row is None:
            raise NotFound("No such batch.")
        cases, last = await views.batch_cases(session, batch_id, limit=limit, after=after)
    return BatchDetailOut(
        **row,
        cases=[BatchCaseOut.model_validate(c) for c in cases],
        next_cursor=None if last is None else str(last),
    )
