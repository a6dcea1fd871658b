"""Importing a case file: upload, its progress while it is read in, and the error report.

The upload is an ordinary form (the portal's script sends it with a progress bar for the
bytes); the portal passes the file on to the cases API as the request body. The job's
page follows the import live through the API's Server-Sent Events, relayed by
``/import/{id}/hendelser`` (the browser never needs a token of its own); without a
script it reloads itself until the import is done.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from gateway.portal import csrf
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.errors import error_page
from gateway.portal.i18n import Translator, language_of
from gateway.portal.problems import explanation, message
from gateway.portal.relay import relay
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CreditorDep, Visitor, VisitorDep

router = APIRouter()

API = "/api/v1/cases/imports"
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".json": "json"}
CHUNK = 64 * 1024
DOWNLOADS = {
    "mal.csv": "/template.csv",
    "mal.xlsx": "/template.xlsx",
}


def _format_of(filename: str) -> str | None:
    lowered = filename.lower()
    return next((f for ext, f in FORMATS.items() if lowered.endswith(ext)), None)


async def _imports_page(
    request: Request,
    visitor: Visitor,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    jobs = await visitor.backend.get(API, params={"limit": 10})
    return page(
        request,
        "portal/imports.html",
        {
            "title": t("import.title"),
            "active": "import",
            "jobs": jobs["items"],
            "errors": errors or {},
            "idempotency_key": new_idempotency_key(),
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/import")
async def imports_page(request: Request, visitor: CreditorDep) -> Response:
    return await _imports_page(request, visitor)


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


@router.post("/import")
async def upload(request: Request, visitor: CreditorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    upload = form.get("fil")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _imports_page(
            request, visitor, errors={"fil": t("import.error.no_file")}, status_code=400
        )
    file_format = _format_of(upload.filename)
    if file_format is None:
        return await _imports_page(
            request, visitor, errors={"fil": t("import.error.format")}, status_code=400
        )
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        job = await visitor.backend.call(
            "POST",
            API,
            params={"format": file_format, "filename": upload.filename[-255:]},
            content=_chunks(upload),
            headers={"content-type": "application/octet-stream", "idempotency-key": key},
        )
    except ApiProblem as problem:
        if problem.status >= 500 and problem.status != 503:
            raise
        errors = {"fil": message(problem, t)}
        if problem.status in (413, 415, 422):
            said = explanation(problem, t) or t("import.error.unreadable")
            errors["fil"] = f"{errors['fil']} {said}"
        return await _imports_page(request, visitor, errors=errors, status_code=400)
    finally:
        await upload.close()
    return redirect(f"/import/{job['job_id']}")


def _valid(job_id: str) -> bool:
    try:
        uuid.UUID(job_id)
    except ValueError:
        return False
    return True


@router.get("/import/{job_id}")
async def job_page(request: Request, job_id: str, visitor: VisitorDep) -> Response:
    t = Translator(language_of(request))
    if job_id in DOWNLOADS:
        lang = {"lang": language_of(request)}  # the template in the page's language
        return await relay(visitor, API + DOWNLOADS[job_id], params=lang)
    if not _valid(job_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    job = await visitor.backend.get(f"{API}/{job_id}")
    report: dict[str, Any] = {"items": [], "next_cursor": None}
    if job["rows_rejected"] or job["cases_rejected"]:
        report = await visitor.backend.get(f"{API}/{job_id}/errors", params={"limit": 200})
    return page(
        request,
        "portal/import_job.html",
        {
            "title": t("import.job_title"),
            "active": "import",
            "job": job,
            "report": report,
            "done": job["status"] in ("completed", "failed"),
        },
        visitor=visitor,
    )


@router.get("/import/{job_id}/hendelser")
async def job_events(job_id: str, visitor: VisitorDep) -> Response:
    """The job's progress as Server-Sent Events, from the cases API."""
    if not _valid(job_id):
        return Response(status_code=404)
    return await relay(visitor, f"{API}/{job_id}/events", keep=("x-accel-buffering",))


@router.get("/import/{job_id}/feil.{kind}")
async def error_report(request: Request, job_id: str, kind: str, visitor: VisitorDep) -> Response:
    if not _valid(job_id) or kind not in ("csv", "xlsx"):
        return Response(status_code=404)
    lang = {"lang": language_of(request)}  # headers and column names in the page's language
    return await relay(visitor, f"{API}/{job_id}/errors.{kind}", params=lang)
