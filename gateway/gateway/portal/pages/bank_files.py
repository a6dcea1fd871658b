"""Bank files of incoming payments, for case handlers: upload one, and see what it gave.

The upload is an ordinary form; the portal passes the file on to the ledger as the raw
body of ``POST /api/v1/ledger/bank-files?format=ocr|camt054`` (the format chosen, or told
by the file's first bytes). An imported file's page shows what the ledger made of it:
payments placed on their case, those left unmatched (and why), reversals, cases paid in
full. A file the ledger refuses is refused whole, and its page lists every problem named.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from gateway.portal import bank_upload, csrf
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.errors import error_page
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CaseHandlerDep, Visitor

router = APIRouter()

API = "/api/v1/ledger/bank-files"
PAGE = "/saksbehandler/bankfiler"
CHUNK = 64 * 1024
NOTICES = {"kjent": "bankfiles.notice.seen_before"}


async def _files_page(
    request: Request,
    visitor: Visitor,
    *,
    errors: FormErrors | None = None,
    problems: list[bank_upload.FileProblem] | None = None,
    choice: str = "auto",
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    files = await visitor.backend.get(API, params={"limit": 20})
    return page(
        request,
        "portal/bank_files.html",
        {
            "title": t("bankfiles.title"),
            "active": "bankfiles",
            "files": files,
            "errors": errors if errors is not None else bank_upload.form_errors(t),
            "problems": problems or [],
            "choice": choice,
            "choices": bank_upload.CHOICES,
            "idempotency_key": new_idempotency_key(),
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get(PAGE)
async def files_page(request: Request, visitor: CaseHandlerDep) -> Response:
    return await _files_page(request, visitor)


async def _rest(first: bytes, upload: UploadFile) -> AsyncIterator[bytes]:
    yield first
    while chunk := await upload.read(CHUNK):
        yield chunk


@router.post(PAGE)
async def upload(request: Request, visitor: CaseHandlerDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    choice = str(form.get("format", "auto"))
    choice = choice if choice in bank_upload.CHOICES else "auto"
    sent = form.get("fil")
    upload = sent if isinstance(sent, UploadFile) else None
    filename = (upload.filename or "") if upload is not None else ""
    first = await upload.read(CHUNK) if upload is not None and filename else None
    errors = bank_upload.upload_errors(choice, filename, first, t)
    file_format = bank_upload.chosen_format(choice, first or b"")
    if upload is None or errors or first is None or file_format is None:
        if upload is not None:
            await upload.close()
        return await _files_page(request, visitor, errors=errors, choice=choice, status_code=400)
    try:
        key = str(form.get("idempotency_key", "")) or new_idempotency_key()
        status, result = await visitor.backend.call_with_status(
            "POST",
            API,
            params={"format": file_format},
            content=_rest(first, upload),
            headers={"content-type": "application/octet-stream", "idempotency-key": key},
        )
    except ApiProblem as problem:
        if problem.status >= 500 and problem.status != 503:
            raise
        rejected = problem.type.endswith("bank-file-rejected") and problem.errors
        return await _files_page(
            request,
            visitor,
            errors=bank_upload.refusal_errors(problem, t),
            problems=bank_upload.file_problems(problem, t) if rejected else None,
            choice=choice,
            status_code=400,
        )
    finally:
        await upload.close()
    notice = "?melding=kjent" if status == 200 else ""
    return redirect(f"{PAGE}/{result['bank_file_id']}{notice}")


@router.get(PAGE + "/{file_id}")
async def file_page(request: Request, file_id: str, visitor: CaseHandlerDep) -> Response:
    t = Translator(language_of(request))
    try:
        uuid.UUID(file_id)
    except ValueError:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    found: dict[str, Any] = await visitor.backend.get(f"{API}/{file_id}")
    key = NOTICES.get(request.query_params.get("melding", ""))
    summary = found["summary"]
    return page(
        request,
        "portal/bank_file.html",
        {
            "title": t("bankfile.title", reference=found["bank_reference"] or found["format"]),
            "active": "bankfiles",
            "file": found,
            "summary": summary,
            "listed_all": len(found["payments"]) >= len(summary.get("payment_ids", [])),
            "notice": t(key) if key else None,
            "notice_kind": "info",
        },
        visitor=visitor,
    )
