"""Notes on a case between the creditor and the case handler, and unread counts."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from servicekit.errors import NotFound
from servicekit.idempotency import IdempotencyKeys, StoredResponse, fingerprint, post_once
from servicekit.openapi import problem_responses
from servicekit.scopes import Scopes, client_scope
from servicekit.types import Limit

from cases import views
from cases.adapters.orm import idempotency_keys
from cases.domain.attachments import EXTENSIONS
from cases.entrypoints.deps import AnyUser, IdempotencyKey, ServiceDep, answer_post_once
from cases.entrypoints.routers.cases import BadQuery
from cases.entrypoints.schemas import (
    AttachmentOut,
    FeedNoteOut,
    NoteIn,
    NoteOut,
    NotesPage,
    NotesReadIn,
    UnreadCaseOut,
    UnreadOut,
)
from cases.service_layer import attachments, notes

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
    case_id: uuid.UUID,
    body: NotesReadIn,
    principal: AnyUser,
    service: ServiceDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    uow = service.unit_of_work()

    async def work() -> tuple[int, None]:
        async with uow:
            await notes.mark_read(uow, principal, case_id, body.up_to_seq)
            await uow.commit()
        return 204, None

    return await post_once(
        uow,
        idempotency_keys,
        scope=str(principal.user_id),
        key=idempotency_key,
        request=request,
        body=body.model_dump(mode="json"),
        work=work,
        secret=service.fingerprint_secret,
    )


_BINARY = {"schema": {"type": "string", "format": "binary"}}
ATTACHMENT_MEDIA_TYPES = (
    "application/pdf, image/png, image/jpeg, image/webp, Word/Excel/PowerPoint (OOXML: docx, "
    "xlsx, pptx) and OpenDocument text/spreadsheet (odt, ods)"
)


@router.post(
    "/{case_id}/notes/{note_id}/attachments",
    dependencies=[client_scope(Scopes.CASES_WRITE)],
    status_code=201,
    response_model=AttachmentOut,
    responses={
        202: {"model": AttachmentOut, "description": "Kept but held: ClamAV could not scan it yet"},
        **problem_responses(404, 413, 422),
    },
    summary="Attach a file to your own note (scanned by ClamAV before anyone may download it)",
    description=(
        "The request body is the file itself (not a form). Allowed by content (magic bytes, "
        f"not by name or Content-Type): {ATTACHMENT_MEDIA_TYPES}; at most "
        "`CASES_ATTACHMENT_MAX_BYTES` (10 MiB by default) and 10 files per note. "
        "Refusals are `attachment-refused` (422) with the field code in `errors[].code`: "
        "`file_empty`, `file_too_large`, `file_type_not_allowed`, `too_many_files`; a file "
        "in which ClamAV finds malware is `attachment-infected` (422, `file_infected`) and "
        "is quarantined, not kept. 201: scanned clean, downloadable. 202: ClamAV could not "
        "be reached; the file is held (`pending`) and scanned again until it answers — never "
        "released unscanned. Only the note's author attaches to it; another organisation's "
        "case or note is 404."
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/octet-stream": _BINARY}}
    },
)
async def attach_file(
    case_id: uuid.UUID,
    note_id: uuid.UUID,
    request: Request,
    principal: AnyUser,
    service: ServiceDep,
    filename: Annotated[
        str | None,
        Query(max_length=255, pattern=r"^[^\x00-\x1f]*$", description="The file's own name"),
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    data = await request.body()
    scope = str(principal.user_id)
    digest = fingerprint(
        "POST",
        request.url.path,
        {"filename": filename, "sha256": hashlib.sha256(data).hexdigest()},
        secret=service.fingerprint_secret,
    )

    async def keep_answer(stored: attachments.StoredAttachment) -> None:
        """Claim the key in the file's transaction; a request that lost the race to the
        same key answers what the winner stored, and its own file is rolled back."""
        keys = IdempotencyKeys(uow.session, idempotency_keys)
        assert idempotency_key is not None
        before = await keys.begin(scope, idempotency_key, digest)
        if before is not None:
            raise _AnsweredBefore(before)
        body = _attachment_out(stored)
        await keys.complete(scope, idempotency_key, _attachment_status(stored), body)

    async with service.unit_of_work() as uow:
        if idempotency_key is not None:  # a retry answers without scanning the file again
            before = await IdempotencyKeys(uow.session, idempotency_keys).peek(
                scope, idempotency_key, digest
            )
            if before is not None:
                return JSONResponse(before.body, status_code=before.status_code)
        try:
            stored = await attachments.attach(
                uow,
                scanner=service.scanner,
                keyring=service.attachment_keyring,
                clock=service.clock,
                principal=principal,
                case_id=case_id,
                note_id=note_id,
                filename=filename,
                data=data,
                max_bytes=service.settings.attachment_max_bytes,
                per_note=service.settings.attachments_per_note,
                before_commit=keep_answer if idempotency_key is not None else None,
            )
        except _AnsweredBefore as lost:
            return JSONResponse(lost.answer.body, status_code=lost.answer.status_code)
    return JSONResponse(_attachment_out(stored), status_code=_attachment_status(stored))


class _AnsweredBefore(Exception):
    """The same Idempotency-Key was answered while this request's file was being scanned."""

    def __init__(self, answer: StoredResponse) -> None:
        super().__init__("answered before")
        self.answer = answer


def _attachment_status(stored: attachments.StoredAttachment) -> int:
    return 201 if stored.status == "clean" else 202


def _attachment_out(stored: attachments.StoredAttachment) -> dict[str, object]:
    return AttachmentOut(
        attachment_id=stored.attachment_id,
        note_id=stored.note_id,
        filename=stored.filename,
        media_type=stored.media_type,
        size_bytes=stored.size_bytes,
        status=stored.status,
        created_at=stored.created_at,
    ).model_dump(mode="json")


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    dependencies=[client_scope(Scopes.CASES_READ)],
    response_class=Response,
    responses={
        200: {
            "description": "The file, with the media type its content showed",
            "content": {media_type: _BINARY for media_type in EXTENSIONS},
        },
        **problem_responses(404, 409),
    },
    summary="Download a file attached to a note (only when ClamAV found it clean)",
    description=(
        "Served as an attachment with its detected media type. A file that is still "
        "`pending` or `quarantined` answers 409 `attachment-not-released`. A file on a note "
        "the caller may not read (another organisation, an internal note) answers 404. Each "
        "download is recorded in the audit log of personal-data reads."
    ),
)
async def download_file(
    case_id: uuid.UUID, attachment_id: uuid.UUID, principal: AnyUser, service: ServiceDep
) -> Response:
    async with service.session_factory() as session:
        found = await attachments.download(
            session,
            keyring=service.attachment_keyring,
            principal=principal,
            case_id=case_id,
            attachment_id=attachment_id,
        )
        await session.commit()
    ascii_name = found.filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
