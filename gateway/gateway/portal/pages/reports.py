"""«Rapporter»: the reports service's catalogue; one report with its filters, shown as a
table (the first rows) or downloaded as CSV, XLSX or PDF, streamed through the portal.

The report's own filters decide the form (period, case status, kind of debtor, batch,
and for agency staff the creditor); the values are the reports service's, the words the
portal's (``reports.name.<code>``, ``reports.col.<code>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import formatting
from gateway.portal.api import ApiProblem
from gateway.portal.case_filter import STATUSES
from gateway.portal.documents import REPORTS, creditor_choices, valid_id
from gateway.portal.errors import error_page
from gateway.portal.i18n import Translator, language_of
from gateway.portal.problems import message
from gateway.portal.relay import relay
from gateway.portal.render import page
from gateway.portal.visitor import Visitor, VisitorDep

router = APIRouter()

SCREEN_ROWS = 200
"""Rows the page shows; the files hold them all."""
DEBTOR_KINDS = ("person", "business")
FORMATS = ("csv", "xlsx", "pdf")


def read_filters(
    query: Mapping[str, str], t: Translator, definition: dict[str, Any], *, agency: bool
) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """The form's values, the API's query and the errors, for the filters the report has
    (from the page's query, or from the «Lagre» form posted with the same fields)."""
    offered = set(definition.get("filters") or [])
    values: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    errors: dict[str, str] = {}
    if "period" in offered:
        for name, api_name in (("fra", "period_from"), ("til", "period_to")):
            text = query.get(name, "").strip()[:40]
            values[name] = text
            if text:
                try:
                    params.append((api_name, formatting.parse_day(text).isoformat()))
                except formatting.InvalidInput:
                    errors[name] = t("form.date_invalid")
    choices = (
        ("status", "status", "status", STATUSES, "reports.error.choice"),
        ("debtor_kind", "skyldnertype", "debtor_kind", DEBTOR_KINDS, "reports.error.choice"),
    )
    for code, name, api_name, allowed, error in choices:
        text = query.get(name, "") if code in offered else ""
        values[name] = text
        if text:
            if text in allowed:
                params.append((api_name, text))
            else:
                errors[name] = t(error)
    for code, name, api_name, error in (
        ("batch_id", "bunt", "batch_id", "reports.error.batch"),
        ("creditor_id", "oppdragsgiver", "creditor_id", "documents.error.creditor"),
    ):
        allowed_here = code in offered and (code != "creditor_id" or agency)
        text = query.get(name, "").strip() if allowed_here else ""
        values[name] = text
        if text:
            if valid_id(text):
                params.append((api_name, text))
            else:
                errors[name] = t(error)
    return values, params, errors


async def _batches(visitor: Visitor) -> list[dict[str, Any]]:
    """The newest batches for the batch filter (empty when the cases service cannot say)."""
    try:
        found = await visitor.backend.get("/api/v1/cases/batches", {"limit": 50})
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return []
    return list(found.get("items") or [])


@router.get("/rapporter")
async def reports(request: Request, visitor: VisitorDep) -> Response:
    t = Translator(language_of(request))
    catalogue: list[dict[str, Any]] = await visitor.backend.get(f"{REPORTS}/catalogue")
    code = request.query_params.get("rapport", "")
    definition = next((d for d in catalogue if d["code"] == code), None)
    context: dict[str, Any] = {
        "title": t("reports.title"),
        "active": "reports",
        "catalogue": catalogue,
        "definition": definition,
        "errors": {},
        "values": {},
        "table": None,
    }
    if code and definition is None:
        return error_page(request, 404, "error.not_found_title", t("problem.report_not_found"))
    status_code = 200
    if definition is not None:
        values, params, errors = read_filters(
            request.query_params, t, definition, agency=visitor.is_agency
        )
        filters = set(definition.get("filters") or [])
        context |= {
            "title": t(f"reports.name.{code}") if t.has(f"reports.name.{code}") else code,
            "values": values,
            "errors": errors,
            "statuses": STATUSES,
            "debtor_kinds": DEBTOR_KINDS,
            "batches": await _batches(visitor) if "batch_id" in filters else [],
            "creditors": await creditor_choices(visitor) if "creditor_id" in filters else [],
            "file_query": [(k, v) for k, v in values.items() if v],
            "formats": FORMATS,
        }
        if errors:
            status_code = 400
        elif request.query_params.get("vis"):
            try:
                context["table"] = await visitor.backend.get(
                    f"{REPORTS}/catalogue/{code}", [*params, ("format", "json")]
                )
            except ApiProblem as problem:
                if problem.status not in (400, 422):
                    raise
                context["errors"] = {"_": message(problem, t)}
                status_code = 400
        if context["table"] is not None:
            rows = context["table"]["rows"]
            context["shown_rows"] = rows[:SCREEN_ROWS]
            context["more_rows"] = len(rows) > SCREEN_ROWS or context["table"]["truncated"]
            context["screen_rows"] = SCREEN_ROWS
    return page(request, "portal/reports.html", context, visitor=visitor, status_code=status_code)


@router.get("/rapporter/{code}/fil")
async def report_file(request: Request, code: str, visitor: VisitorDep) -> Response:
    """The report as CSV, XLSX or PDF, streamed from the reports service (which audits it)."""
    t = Translator(language_of(request))
    catalogue: list[dict[str, Any]] = await visitor.backend.get(f"{REPORTS}/catalogue")
    definition = next((d for d in catalogue if d["code"] == code), None)
    file_format = request.query_params.get("format", "")
    if definition is None or file_format not in FORMATS:
        return error_page(request, 404, "error.not_found_title", t("problem.report_not_found"))
    _, params, errors = read_filters(request.query_params, t, definition, agency=visitor.is_agency)
    if errors:
        return error_page(request, 400, "error.title", " ".join(errors.values()))
    return await relay(
        visitor, f"{REPORTS}/catalogue/{code}", params=[*params, ("format", file_format)]
    )
