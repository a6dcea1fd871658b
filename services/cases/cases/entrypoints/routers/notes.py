"""Notes on a case between the creditor and the case handler, and unread counts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from servicekit.errors import NotFound
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.types import Limit

from cases import views
from cases.entrypoints.deps import AnyUser, IdempotencyKey, ServiceDep, answer_post_once
from cases.entrypoints.routers.cases import BadQuery
from cases.entrypoints.schemas import (
    FeedNoteOut,
    NoteIn,
    NoteOut,
    NotesPage,
    NotesReadIn,
    UnreadCaseOut,
    UnreadOut,
)
from cases.service_layer import notes

router = APIRouter(prefix="/api/v1/cases", tags=["notes"])


@router.get(
    "/notes/unread",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=UnreadOut,
    summary="Unread notes for the caller, per case",
    description=(
        "Creditor users: notes from the case handlers on their organisation's cases. "
        "Case handlers: notes from creditors on every case."
    ),
)
async def unread(
    principal: AnyUser,
    service: ServiceDep,
    limit: Annotated[Limit, Query(le=500)] = 50,
) -> UnreadOut:
    async with service.session_factory() as session:
        total, per_case = await views.unread_notes(
            session, principal.tenant, principal.user_id, limit=limit
        )
    return UnreadOut(total=total, cases=[UnreadCaseOut.model_validate(r) for r in per_case])


@router.get(
    "/notes",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=NotesPage,
    responses=problem_responses(400),
    summary="The notes the caller may read on all its cases (an integration's sync)",
    description=(
        "Oldest first; page with `after` (the answer's `next_cursor`). To sync, pass "
        "`updated_since` (notes never change: written at or after it). Creditor users never "
        "see the case handlers' internal notes."
    ),
)
async def notes_feed(
    principal: AnyUser,
    service: ServiceDep,
    updated_since: Annotated[
        datetime | None,
        Query(description="Written at or after this instant (ISO 8601 with a UTC offset)"),
    ] = None,
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    limit: Annotated[Limit, Query(le=1000)] = 100,
) -> NotesPage:
    if updated_since is not None and updated_since.tzinfo is None:
        raise BadQuery(
            "updated_since needs a UTC offset.",
            errors=[{"field": "updated_since", "reason": "needs a UTC offset (Z or +01:00)"}],
        )
    async with service.session_factory() as session:
        rows = await views.notes_feed(
            session,
            principal.tenant,
            agency=principal.is_agency_staff,
            updated_since=updated_since,
            after=after,
            limit=limit,
        )
    items = [FeedNoteOut.model_validate(r) for r in rows]
    return NotesPage(items=items, next_cursor=items[-1].seq if len(items) == limit else None)


@router.get(
    "/{case_id}/notes",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_model=list[NoteOut],
    responses=problem_responses(404),
    summary="The notes of a case the caller may read",
    description="Creditor users never see the case handlers' internal notes.",
)
async def list_notes(case_id: uuid.UUID, principal: AnyUser, service: ServiceDep) -> list[NoteOut]:
    async with service.session_factory() as session:
        if await views.case_row(session, principal.tenant, case_id) is None:
            raise NotFound("No such case.")
        rows = await views.case_notes(
            session, case_id, user_id=principal.user_id, agency=principal.is_agency_staff
        )
    return [NoteOut.model_validate(r) for r in rows]


@router.post(
    "/{case_id}/notes",
    dependencies=[client_scope(Scopes.CASES_WRITE)],
    status_code=201,
    response_model=NoteOut,
    responses=problem_responses(403, 404, 422),
    summary="Write a note on a case",
)
async def write_note(
    case_id: uuid.UUID,
    body: NoteIn,
    principal: AnyUser,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async with service.unit_of_work() as uow:

        async def work() -> tuple[int, object]:
            written = await notes.add_note(
                uow, service.clock, principal, case_id, body.body, body.visibility
            )
            out = NoteOut(
                note_id=written.note_id,
                seq=written.seq,
                author_id=principal.user_id,
                author_side="agency" if principal.is_agency_staff else "creditor",
                visibility=body.visibility,
                body=body.body,
                created_at=written.created_at,
                unread=False,
            )
            return 201, out.model_dump(mode="json")

        dump = body.model_dump(mode="json")
        return await answer_post_once(uow, service, principal, request, idempotency_key, dump, work)


@router.post(
    "/{case_id}/notes/read",
    dependencies=[client_scope(Scopes.CASES_WRITE)],
    status_code=204,
    responses=problem_responses(404, 422),
    summary="Mark a case's notes as read up to a note",
)
async def mark_read(
    case_id: uuid.UUID, body: NotesReadIn, principal: AnyUser, service: ServiceDep
) -> Response:
    async with service.unit_of_work() as uow:
        await notes.mark_read(uow, principal, case_id, body.up_to_seq)
        await uow.commit()
    return Response(status_code=204)
