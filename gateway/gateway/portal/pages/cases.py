"""Cases: the list (search, filters, sorting, pages) and one case with its notes."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import case_actions, case_filter, csrf, formatting, note_attachments, note_form
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.case_filter import SORTS, STATUSES
from gateway.portal.documents import documents_for
from gateway.portal.errors import error_page
from gateway.portal.i18n import Translator, language_of
from gateway.portal.organisation_names import organisation_names
from gateway.portal.relay import relay
from gateway.portal.render import page, redirect
from gateway.portal.visitor import Visitor, VisitorDep

router = APIRouter()

NOTICES = {
    "registrert": "case.notice.registered",
    "notat": "case.notice.note",
    "vedlegg_holdt": "attachment.notice.held",
    "handling": "actions.done",
}


EXPORT_FORMATS = ("csv", "xlsx")


def total_text(t: Translator, lang: str, total: int, exact: bool) -> str:
    """«12 saker passer søket.», «1 sak …», «Mer enn 10 000 saker …» (the API counts
    exactly up to a cap)."""
    n = f"{total:,}".replace(",", "\u00a0" if lang == "nb" else ",")
    if not exact:
        return t("cases.total.more", n=n)
    return t("cases.total.one") if total == 1 else t("cases.total.other", n=n)


@router.get("/saker/eksport.{kind}")
async def case_export(request: Request, visitor: VisitorDep, kind: str) -> Response:
    """The filtered list as a file, in the page's language, streamed from the cases
    service (every case the search finds, not only one page)."""
    t = Translator(language_of(request))
    if kind not in EXPORT_FORMATS:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    chosen = case_filter.read(request.query_params, t)
    if chosen.errors:
        return redirect("/saker?" + str(request.url.query))
    kept = [(k, v) for k, v in chosen.params if k not in ("limit", "cursor")]
    kept += [("format", kind), ("language", language_of(request))]
    return await relay(visitor, "/api/v1/cases/export", params=kept)


@router.get("/saker")
async def case_list(request: Request, visitor: VisitorDep) -> Response:
    t = Translator(language_of(request))
    chosen = case_filter.read(request.query_params, t)
    values, errors = chosen.values, chosen.errors
    result: dict[str, Any] = {"items": [], "next_cursor": None, "total": 0, "total_exact": True}
    if not errors:
        try:
            result = await visitor.backend.get("/api/v1/cases", params=chosen.params)
        except ApiProblem as problem:
            if problem.status not in (400, 422):
                raise
            errors.merge_problem(
                problem, t, fields=case_filter.LABELS, renames=case_filter.SEARCH_FIELDS
            )
    next_query = None
    if result.get("next_cursor"):
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        next_query = [*kept, ("cursor", result["next_cursor"])]
    first_query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    lang = language_of(request)
    return page(
        request,
        "portal/cases.html",
        {
            "title": t("cases.title"),
            "active": "cases",
            "values": values,
            "errors": errors,
            "items": result["items"],
            "creditor_names": await organisation_names(
                visitor, (c["creditor_id"] for c in result["items"])
            ),
            "next_query": next_query,
            "first_query": first_query if "cursor" in request.query_params else None,
            "statuses": STATUSES,
            "sorts": SORTS,
            "total": None
            if errors
            else total_text(t, lang, result.get("total", 0), result.get("total_exact", True)),
            "export_query": first_query,
        },
        visitor=visitor,
    )


ECONOMY_BASES = {"kjent": "as_known_now", "bokfort": "as_booked_then"}
"""The portal's choice of reading (``?grunnlag=``) → the ledger's ``basis``."""


def economy_query(request: Request) -> dict[str, str]:
    """The date (``?per=YYYY-MM-DD``) and reading (``?grunnlag=kjent|bokfort``) asked for;
    anything else is ignored (today, as known now)."""
    params: dict[str, str] = {}
    on = request.query_params.get("per", "")[:10]
    with contextlib.suppress(ValueError):
        params["as_of"] = date.fromisoformat(on).isoformat()
    basis = ECONOMY_BASES.get(request.query_params.get("grunnlag", ""))
    if basis is not None:
        params["basis"] = basis
    return params


async def _economy(
    visitor: Visitor, case_id: str, query: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """The case's economy from the ledger (today, as known now, unless ``query`` asks for
    another date or as booked then), or ``None`` when the ledger cannot tell (it learns
    of a new case a moment after registration, or it is unavailable)."""
    try:
        economy: dict[str, Any] = await visitor.backend.get(
            f"/api/v1/ledger/cases/{case_id}/economy", query or None
        )
    except ApiProblem as problem:
        if problem.status in (404, 405, 422) or problem.status >= 500:
            return None
        raise
    return economy


async def _next_steps(visitor: Visitor, case_id: str) -> dict[str, Any] | None:
    """Where the case stands in the workflow and what the caller may do (``None`` when the
    workflow cannot tell right now: the page shows the case without it)."""
    try:
        steps: dict[str, Any] = await visitor.backend.get(f"/api/v1/cases/{case_id}/next-steps")
    except ApiProblem as problem:
        if problem.status in (404, 405) or problem.status >= 500:
            return None
        raise
    return steps


async def case_page(
    request: Request,
    visitor: Visitor,
    case_id: str,
    *,
    note_errors: dict[str, str] | None = None,
    note_values: dict[str, str] | None = None,
    action_errors: dict[str, str] | None = None,
    action_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    try:
        uuid.UUID(case_id)
    except ValueError:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    case = await visitor.backend.get(f"/api/v1/cases/{case_id}")
    economy = await _economy(visitor, case_id, economy_query(request))
    steps = await _next_steps(visitor, case_id)
    unread = [n["seq"] for n in case["notes"] if n.get("unread")]
    if unread:
        with contextlib.suppress(ApiProblem):  # still unread next time; the page is fine
            await visitor.backend.post(
                f"/api/v1/cases/{case_id}/notes/read", {"up_to_seq": max(unread)}
            )
    notice_key = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/case.html",
        {
            "title": t("case.title", number=case["case_number"]),
            "active": "cases",
            "case": case,
            "creditor_name": (await organisation_names(visitor, [case["creditor_id"]])).get(
                str(case["creditor_id"])
            ),
            "economy": economy,
            "letters": await documents_for(visitor, case_id, ["debtor_letter"]),
            "steps": steps,
            "withdrawal": case_actions.withdrawal_cost(economy),
            "action_errors": action_errors or {},
            "action_values": action_values or {},
            "action_key": new_idempotency_key(),
            "today": formatting.today_oslo(),
            "note_errors": note_errors or {},
            "note_values": note_values or {},
            "note_key": new_idempotency_key(),
            "notice": t(notice_key) if notice_key else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/saker/{case_id}")
async def case_detail(request: Request, case_id: str, visitor: VisitorDep) -> Response:
    return await case_page(request, visitor, case_id)


@router.get("/saker/{case_id}/notater")
async def notes_anchor(case_id: str) -> Response:
    return redirect(f"/saker/{case_id}#notater")


@router.post("/saker/{case_id}/notater")
async def write_note(request: Request, case_id: str, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    typed = note_form.read(form, t, agency=visitor.is_agency)
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    values = typed.values
    if typed.body is None:
        return await case_page(
            request, visitor, case_id, note_errors=typed.errors, note_values=values, status_code=400
        )
    try:
        note = await visitor.backend.post(
            f"/api/v1/cases/{case_id}/notes", typed.body, idempotency_key=key
        )
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        errors = note_form.refused(problem, t)
        return await case_page(
            request, visitor, case_id, note_errors=errors, note_values=values, status_code=400
        )
    sent = await note_attachments.send(
        visitor, case_id, str(note["note_id"]), note_attachments.chosen_files(form), t
    )
    if sent.refused:
        errors = note_form.files_refused(sent.refused, t)
        return await case_page(request, visitor, case_id, note_errors=errors, status_code=422)
    notice = "vedlegg_holdt" if sent.held else "notat"
    return redirect(f"/saker/{case_id}?melding={notice}#notater")


@router.get("/saker/{case_id}/vedlegg/{attachment_id}")
async def download_attachment(
    request: Request, case_id: str, attachment_id: str, visitor: VisitorDep
) -> Response:
    """A file on a note, once ClamAV found it clean (the cases service audits the read)."""
    t = Translator(language_of(request))
    try:
        uuid.UUID(case_id)
        uuid.UUID(attachment_id)
    except ValueError:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    try:
        return await relay(visitor, f"/api/v1/cases/{case_id}/attachments/{attachment_id}")
    except ApiProblem as problem:
        if problem.status == 409:
            return error_page(
                request, 409, "attachment.not_released_title", t("attachment.not_released")
            )
        if problem.status == 404:
            return error_page(request, 404, "error.not_found_title", t("error.not_found"))
        raise
