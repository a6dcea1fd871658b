"""«Dokumenter»: the organisation's documents (order confirmations, settlement
statements, posting proposals), newest first, filtered and in keyset pages; each one to
download, and several (chosen, the whole page with «Inkluder alle», or every one the
filter selects) as one ZIP. Agency staff see every creditor's, with a creditor filter.

An agency administrator corrects a settlement statement («Korriger»): the reports
service issues its credit note and, for wrong master data, a new statement; the list
marks the statement «kreditert» and links the three.

A case's statement (saksoppstilling) as of today is issued from the case's page and
downloaded at once (the reports service answers the one issued before for the same day).

Downloads go through the portal (ADR 0020): it fetches the reports service's bytes with
the person's token and streams them on with the service's content type and file name.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import csrf
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.documents import (
    CORRECTION_REASONS,
    KINDS,
    REPORTS,
    ZIP_MAX_DOCUMENTS,
    DocumentFilter,
    creditor_choices,
    read_filter,
    valid_id,
)
from gateway.portal.errors import error_page
from gateway.portal.i18n import Translator, language_of
from gateway.portal.organisation_names import organisation_names
from gateway.portal.problems import REPORT_PROBLEMS, message
from gateway.portal.relay import relay
from gateway.portal.render import page, redirect
from gateway.portal.visitor import AgencyAdminDep, Visitor, VisitorDep

router = APIRouter()

PAGE_SIZE = 25
MAX_CHOSEN = 200
"""Ids one ZIP form may name (a page holds 25; more is no form of ours)."""
FILTER_FIELDS = ("slag", "fra", "til", "oppdragsgiver")
API_FIELDS = {
    "kind": "slag",
    "period_from": "fra",
    "period_to": "til",
    "creditor_id": "oppdragsgiver",
}
"""The reports API's query parameter → the filter's field it came from."""


async def _documents_page(
    request: Request,
    visitor: Visitor,
    chosen: DocumentFilter,
    *,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    errors = chosen.errors.copy()
    if refusal:
        errors.general(refusal)
    cursor = request.query_params.get("cursor", "")[:200]
    result: dict[str, Any] = {"items": [], "next_cursor": None}
    if not chosen.errors:
        params = [*chosen.params, ("limit", str(PAGE_SIZE))]
        if cursor:
            params.append(("cursor", cursor))
        try:
            result = await visitor.backend.get(f"{REPORTS}/documents", params)
        except ApiProblem as problem:
            if problem.status != 422:
                raise
            errors.merge_problem(problem, t, fields=FILTER_FIELDS, renames=API_FIELDS)
            status_code = 400
    items: list[dict[str, Any]] = result["items"]
    query = chosen.query()
    next_cursor = result.get("next_cursor")
    return page(
        request,
        "portal/documents.html",
        {
            "title": t("documents.title"),
            "active": "documents",
            "values": chosen.values,
            "errors": errors,
            "items": items,
            "kinds": KINDS,
            "creditors": await creditor_choices(visitor),
            "creditor_names": await organisation_names(
                visitor, (d["organisation_id"] for d in items)
            ),
            "filter_query": query,
            "next_query": [*query, ("cursor", next_cursor)] if next_cursor else None,
            "first_query": query if cursor else None,
            "zip_limit": ZIP_MAX_DOCUMENTS,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/dokumenter")
async def documents(request: Request, visitor: VisitorDep) -> Response:
    t = Translator(language_of(request))
    chosen = read_filter(request.query_params, t, agency=visitor.is_agency)
    return await _documents_page(
        request, visitor, chosen, status_code=400 if chosen.errors else 200
    )


@router.get("/dokumenter/zip")
async def archive(request: Request, visitor: VisitorDep) -> Response:
    """One ZIP: the documents ticked (``id``), the whole page (``alle=side``: the page's
    ids in ``side``, so «Inkluder alle» works without a script too), or every document
    the filter selects (``alle=filter``)."""
    t = Translator(language_of(request))
    query = request.query_params
    chosen = read_filter(query, t, agency=visitor.is_agency)
    if chosen.errors:
        return await _documents_page(request, visitor, chosen, status_code=400)
    include = set(query.getlist("alle"))
    if "filter" in include:
        params = chosen.params
    else:
        ids = query.getlist("id") + (query.getlist("side") if "side" in include else [])
        wanted = [i for i in dict.fromkeys(ids) if valid_id(i)][:MAX_CHOSEN]
        if not wanted:
            refusal = t("documents.error.none_chosen")
            return await _documents_page(request, visitor, chosen, refusal=refusal, status_code=400)
        params = [("id", i) for i in wanted]
    try:
        return await relay(visitor, f"{REPORTS}/documents/archive", params=params)
    except ApiProblem as problem:
        if problem.status not in (400, 422):
            raise
        refusal = message(problem, t)
        return await _documents_page(request, visitor, chosen, refusal=refusal, status_code=400)


@router.get("/dokumenter/{document_id}/fil")
async def download(request: Request, document_id: str, visitor: VisitorDep) -> Response:
    """One document as issued (the reports service audits the download)."""
    t = Translator(language_of(request))
    if not valid_id(document_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    return await relay(visitor, f"{REPORTS}/documents/{document_id}/content", keep=("etag",))


@router.post("/saker/{case_id}/saksoppstilling")
async def case_statement(request: Request, case_id: str, visitor: VisitorDep) -> Response:
    """Issue (or find) the case's statement as of today, then download it."""
    await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not valid_id(case_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    issued = await visitor.backend.post(f"{REPORTS}/case-statements", {"case_id": case_id})
    return redirect(f"/dokumenter/{issued['document_id']}/fil")


async def _correction_page(
    request: Request,
    visitor: Visitor,
    document_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    if not valid_id(document_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    try:
        document = await visitor.backend.get(f"{REPORTS}/documents/{document_id}")
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    return page(
        request,
        "portal/document_correction.html",
        {
            "title": t("correction.title", number=document["number"]),
            "active": "documents",
            "d": document,
            "reasons": CORRECTION_REASONS,
            "values": values or {},
            "errors": errors or {},
            "idempotency_key": new_idempotency_key(),
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/dokumenter/{document_id}/korriger")
async def correction(request: Request, document_id: str, visitor: AgencyAdminDep) -> Response:
    """«Korriger» (agency administrators): the statement, and a reason to credit it; once
    credited, its credit note and replacement."""
    return await _correction_page(request, visitor, document_id)


@router.post("/dokumenter/{document_id}/korriger")
async def correct(request: Request, document_id: str, visitor: AgencyAdminDep) -> Response:
    """Credit the statement (the reports service issues the credit note and, for master
    data, the replacement); the form's key makes a second submit answer the first."""
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    reason = str(form.get("reason", ""))
    if reason not in CORRECTION_REASONS:
        errors = {"reason": t("correction.reason_missing")}
        return await _correction_page(request, visitor, document_id, errors=errors, status_code=400)
    if not valid_id(document_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    key = str(form.get("idempotency_key", ""))[:200] or new_idempotency_key()
    try:
        await visitor.backend.post(
            f"{REPORTS}/documents/{document_id}/corrections",
            {"reason": reason},
            idempotency_key=key,
        )
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        code = REPORT_PROBLEMS.get(problem.type.rsplit("/", 1)[-1], "problem.bad_request")
        return await _correction_page(
            request,
            visitor,
            document_id,
            values={"reason": reason},
            errors={"_": t(code)},
            status_code=409 if problem.status == 409 else 400,
        )
    return redirect(f"/dokumenter/{document_id}/korriger")
