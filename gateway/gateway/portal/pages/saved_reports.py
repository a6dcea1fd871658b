"""«Lagrede rapporter»: the report definitions the organisation saved, their schedules
(daily, weekly, monthly; add and remove), and the run history with each run's status,
a progress bar (rows written of rows in the report) and the file to download.

A definition is saved from the report page («Lagre»: the filters shown, a name, the
format). Runs are written in the background by the reports service's worker, so running
one answers at once; the page refreshes itself (without script) while a run is going.
The file is a document (kind ``report_run``) downloaded through «Dokumenter»'s route.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import csrf
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.documents import REPORTS, valid_id
from gateway.portal.errors import error_page
from gateway.portal.i18n import Translator, language_of
from gateway.portal.pages.reports import FORMATS, read_filters
from gateway.portal.problems import message
from gateway.portal.render import page, redirect
from gateway.portal.visitor import VisitorDep

router = APIRouter()

PAGE = "/rapporter/lagrede"
FREQUENCIES = ("daily", "weekly", "monthly")
NOTICES = {
    "lagret": "saved.notice.saved",
    "kjort": "saved.notice.queued",
    "plan": "saved.notice.scheduled",
    "planslettet": "saved.notice.unscheduled",
    "navn": "saved.notice.renamed",
    "slettet": "saved.notice.deleted",
}
API_FILTERS = {
    "period_from": "period_from",
    "period_to": "period_to",
    "status": "status",
    "debtor_kind": "debtor_kind",
    "batch_id": "batch_id",
}


@router.get(PAGE)
async def saved_reports(request: Request, visitor: VisitorDep) -> Response:
    return await _page(request, visitor)


async def _page(
    request: Request,
    visitor: VisitorDep,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    saved = (await visitor.backend.get(f"{REPORTS}/saved-reports"))["items"]
    runs = (await visitor.backend.get(f"{REPORTS}/report-runs", {"limit": 50}))["items"]
    names = {s["saved_report_id"]: s["name"] for s in saved}
    going = any(r["status"] in ("queued", "running") for r in runs)
    notice_key = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/saved_reports.html",
        {
            "title": t("saved.title"),
            "active": "saved_reports",
            "saved": saved,
            "runs": runs,
            "names": names,
            "going": going,
            "frequencies": FREQUENCIES,
            "notice": t(notice_key) if notice_key else None,
            "errors": errors or {},
        },
        visitor=visitor,
        status_code=status_code,
    )


async def _problem_page(
    request: Request, visitor: VisitorDep, problem: ApiProblem, t: Translator
) -> Response:
    if problem.status not in (400, 404, 409, 422):
        raise problem
    return await _page(request, visitor, errors={"_": message(problem, t)}, status_code=400)


@router.post(PAGE)
async def save(request: Request, visitor: VisitorDep) -> Response:
    """«Lagre» on the report page: the report, the filters shown, a name and a format."""
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    code = str(form.get("rapport", ""))
    catalogue: list[dict[str, Any]] = await visitor.backend.get(f"{REPORTS}/catalogue")
    definition = next((d for d in catalogue if d["code"] == code), None)
    if definition is None:
        return error_page(request, 404, "error.not_found_title", t("problem.report_not_found"))
    name = str(form.get("navn", "")).strip()[:100]
    file_format = str(form.get("format", "xlsx"))
    # the report page's filter fields, read as the page reads them
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    _, params, errors = read_filters(fields, t, definition, agency=visitor.is_agency)
    if not name:
        errors["navn"] = t("saved.error.name")
    if file_format not in FORMATS:
        errors["format"] = t("reports.error.choice")
    if errors:
        return error_page(request, 400, "error.title", " ".join(errors.values()))
    filters = {API_FILTERS[k]: v for k, v in params if k in API_FILTERS}
    body: dict[str, Any] = {"name": name, "report": code, "filters": filters, "format": file_format}
    creditor = dict(params).get("creditor_id")
    if creditor:
        body["creditor_id"] = creditor
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        await visitor.backend.post(f"{REPORTS}/saved-reports", body, idempotency_key=key)
    except ApiProblem as problem:
        if problem.status not in (400, 422):
            raise
        return error_page(request, 400, "error.title", message(problem, t))
    return redirect(f"{PAGE}?melding=lagret")


@router.post(PAGE + "/{saved_report_id}/kjor")
async def run_now(request: Request, saved_report_id: str, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not valid_id(saved_report_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        await visitor.backend.post(
            f"{REPORTS}/saved-reports/{saved_report_id}/runs", idempotency_key=key
        )
    except ApiProblem as problem:
        return await _problem_page(request, visitor, problem, t)
    return redirect(f"{PAGE}?melding=kjort#kjoringer")


@router.post(PAGE + "/{saved_report_id}/navn")
async def rename(request: Request, saved_report_id: str, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    name = str(form.get("navn", "")).strip()[:100]
    if not valid_id(saved_report_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    if not name:
        return await _page(
            request, visitor, errors={"navn": t("saved.error.name")}, status_code=400
        )
    try:
        await visitor.backend.patch(f"{REPORTS}/saved-reports/{saved_report_id}", {"name": name})
    except ApiProblem as problem:
        return await _problem_page(request, visitor, problem, t)
    return redirect(f"{PAGE}?melding=navn")


@router.post(PAGE + "/{saved_report_id}/slett")
async def delete(request: Request, saved_report_id: str, visitor: VisitorDep) -> Response:
    await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not valid_id(saved_report_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    try:
        await visitor.backend.delete(f"{REPORTS}/saved-reports/{saved_report_id}")
    except ApiProblem as problem:
        return await _problem_page(request, visitor, problem, t)
    return redirect(f"{PAGE}?melding=slettet")


@router.post(PAGE + "/{saved_report_id}/planer")
async def schedule(request: Request, saved_report_id: str, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not valid_id(saved_report_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    frequency = str(form.get("hyppighet", ""))
    email = str(form.get("epost", "")).strip()[:254]
    if frequency not in FREQUENCIES:
        return await _page(
            request, visitor, errors={"hyppighet": t("reports.error.choice")}, status_code=400
        )
    body: dict[str, Any] = {"frequency": frequency}
    if email:
        body["notify_email"] = email
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        await visitor.backend.post(
            f"{REPORTS}/saved-reports/{saved_report_id}/schedules", body, idempotency_key=key
        )
    except ApiProblem as problem:
        if problem.status == 422 and any(e.field.endswith("notify_email") for e in problem.errors):
            return await _page(
                request, visitor, errors={"epost": t("saved.error.email")}, status_code=400
            )
        return await _problem_page(request, visitor, problem, t)
    return redirect(f"{PAGE}?melding=plan")


@router.post(PAGE + "/{saved_report_id}/planer/{schedule_id}/slett")
async def unschedule(
    request: Request, saved_report_id: str, schedule_id: str, visitor: VisitorDep
) -> Response:
    await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not (valid_id(saved_report_id) and valid_id(schedule_id)):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    try:
        await visitor.backend.delete(
            f"{REPORTS}/saved-reports/{saved_report_id}/schedules/{schedule_id}"
        )
    except ApiProblem as problem:
        return await _problem_page(request, visitor, problem, t)
    return redirect(f"{PAGE}?melding=planslettet")
