"""The ledger's rate tables (satser): read by everyone signed in, edited by agency
administrators.

Every row comes from ``GET /api/v1/ledger/rates`` (inkassosats, rettsgebyr,
forsinkelsesrente, the salær brackets, …). The rates in force today come first (one
table), then the history by kind, newest first, each row with its human name
(:mod:`gateway.portal.rate_names`, never the ledger's key) and its source. Only agency
administrators see the forms: a new version is
added with ``POST /api/v1/ledger/rates``; the ledger checks it and its errors are shown
next to the fields. Rows seeded as unconfirmed are not used until an administrator
confirms them against their source (``POST /api/v1/ledger/rates/{id}/confirmation``);
they are listed first, each with its own small form.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import csrf, formatting, rate_form, rate_names
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.errors import error_page
from gateway.portal.i18n import Translator, language_of
from gateway.portal.render import page, redirect
from gateway.portal.visitor import AgencyAdminDep, Visitor, VisitorDep

router = APIRouter()

RATES = "/api/v1/ledger/rates"
NOTICES = {"lagt-til": "rates.notice.added", "bekreftet": "rates.notice.confirmed"}
_ID = re.compile(r"^[1-9][0-9]{0,18}$")


def _valid_id(value: str) -> bool:
    """A rate's id: a positive 64-bit integer, as the ledger's path takes it."""
    return bool(_ID.match(value)) and int(value) <= 2**63 - 1


async def _rates_page(
    request: Request,
    visitor: Visitor,
    *,
    form: rate_form.RateForm | None = None,
    key: str | None = None,
    failed: int | None = None,
    confirmation: rate_form.RateForm | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    rows: list[dict[str, Any]] = list(await visitor.backend.get(RATES))
    editor = visitor.is_agency_admin
    unconfirmed = [r for r in rows if r["status"] == "unconfirmed"] if editor else []
    history = rate_names.by_kind(rows)
    kinds = [kind for kind, _ in history]
    shown_kind = request.query_params.get("slag", "")
    if shown_kind not in kinds:
        shown_kind = ""  # every kind
    shown = [r for kind, group in history if kind == shown_kind or not shown_kind for r in group]
    highest = rate_names.highest_limits(rows)
    today = formatting.today_oslo()
    notice = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/rates.html",
        {
            "title": t("rates.title"),
            "active": "rates",
            "rows": shown,
            "in_force": rate_names.in_force(rows, today),
            "today": today,
            "editor": editor,
            "shown_kind": shown_kind,
            "kind_name": lambda kind: rate_names.kind_name(str(kind), t),
            "parameter_name": lambda row: rate_names.parameter_name(
                str(row["kind"]), str(row.get("parameter") or ""), t, highest.get(row["kind"])
            ),
            "unconfirmed": unconfirmed,
            "kinds": kinds,
            "units": rate_form.UNITS,
            "value_text": lambda row: rate_form.value_text(row["value"], row["unit"], t),
            "source_link": rate_form.source_link,
            "values": form.values if form else {"unit": "NOK"},
            "errors": form.errors if form else rate_form.form_errors(t),
            "failed": failed,
            "confirm_values": confirmation.values if confirmation else {},
            "confirm_errors": confirmation.errors
            if confirmation
            else rate_form.form_errors(t, rate_form.CONFIRMATION_FIELDS),
            "idempotency_key": key or new_idempotency_key(),
            "notice": t(notice) if notice else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/satser")
async def rates_page(request: Request, visitor: VisitorDep) -> Response:
    return await _rates_page(request, visitor)


@router.post("/satser")
async def add_rate(request: Request, visitor: AgencyAdminDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    typed = rate_form.read(form, t)
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    if typed.errors or typed.body is None:
        return await _rates_page(request, visitor, form=typed, key=key, status_code=400)
    try:
        await visitor.backend.post(RATES, typed.body, idempotency_key=key)
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        rate_form.refused(typed, problem, t, rate_form.FIELDS)
        # a refused request may be corrected and sent again: a new key for the next try
        return await _rates_page(
            request, visitor, form=typed, key=new_idempotency_key(), status_code=400
        )
    return redirect("/satser?melding=lagt-til")


@router.post("/satser/{rate_id}/bekreftelse")
async def confirm_rate(request: Request, rate_id: str, visitor: AgencyAdminDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not _valid_id(rate_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    number = int(rate_id)
    typed = rate_form.read_confirmation(form, t)
    if typed.errors or typed.body is None:
        return await _rates_page(
            request, visitor, failed=number, confirmation=typed, status_code=400
        )
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        await visitor.backend.post(
            f"{RATES}/{number}/confirmation", typed.body, idempotency_key=key
        )
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise  # 404: no such rate, the not-found page
        rate_form.refused(typed, problem, t, rate_form.CONFIRMATION_FIELDS)
        return await _rates_page(
            request, visitor, failed=number, confirmation=typed, status_code=400
        )
    return redirect("/satser?melding=bekreftet")
