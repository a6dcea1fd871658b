"""«Integrasjoner»: a creditor admin connects the organisation's Tripletex.

``/integrasjoner`` shows the connection (``GET /api/v1/integrations/tripletex``: status,
last sync and its outcome, how many invoices became cases or were refused), the invoices
that need a look (``GET …/invoices``: refused ones with the fields in error, cases whose
invoice changed in Tripletex) and the recent syncs (``GET …/runs``); without a
connection, the form to connect (``PUT …``: the keys are checked at Tripletex and kept
encrypted, never shown again). Buttons pause, resume, sync now and hand a refused
invoice over again. The service's codes are translated here
(the `integrations.*` keys of the gettext catalogs, `gateway/locale`).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import csrf
from gateway.portal.api import ApiProblem
from gateway.portal.form_errors import FormErrors
from gateway.portal.formatting import form_text
from gateway.portal.i18n import Translator, language_of
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CreditorAdminDep, Visitor

router = APIRouter()

API = "/api/v1/integrations/tripletex"
KEY_FIELDS = ("consumer_token", "employee_token")
ACTIONS = {"pause": "pause", "gjenoppta": "resume", "synkroniser": "sync"}
NOTICES = {
    "tilkoblet": "integrations.notice.connected",
    "pause": "integrations.notice.paused",
    "gjenoppta": "integrations.notice.resumed",
    "synkroniser": "integrations.notice.sync",
    "prov-igjen": "integrations.notice.retry",
    "ikke-mulig": "integrations.notice.not_possible",
}
_INDEX = re.compile(r"\[\d+\]")


def field_text(t: Translator, field: str) -> str:
    """A field code of the cases service (``claims[0].due_date``) or the connector, in words."""
    key = "integrations.field." + _INDEX.sub("", field)
    text = t(key)
    return t("integrations.field.other", field=field) if text == key else text


def form_errors(t: Translator) -> FormErrors:
    """The connection form's errors, empty, with its fields' labels."""
    return FormErrors({name: t(f"integrations.{name}") for name in KEY_FIELDS})


def connection_errors(
    values: dict[str, str], t: Translator, problem: ApiProblem | None = None
) -> FormErrors:
    """Every error of the connection form: the keys left empty, or what the connector (or
    Tripletex, ``erp-refused`` with its ``erp_code``) said of them."""
    errors = form_errors(t)
    for name in KEY_FIELDS:
        if not values.get(name):
            errors.add(name, t("reason.is_required"))
    if problem is None:
        return errors
    if problem.type.rsplit("/", 1)[-1] == "erp-refused":
        code = str(problem.extensions.get("erp_code", ""))
        errors.add("employee_token", t("integrations.erp." + code))
    else:
        errors.merge_problem(problem, t, fields=KEY_FIELDS)
    return errors


async def _page(
    request: Request,
    visitor: Visitor,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    connection: dict[str, Any] | None = None
    invoices: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    try:
        connection = await visitor.backend.get(API)
    except ApiProblem as problem:
        if problem.status != 404:
            raise
    if connection is not None:
        listed = await visitor.backend.get(f"{API}/invoices", params={"limit": 200})
        invoices = [
            {
                **item,
                "problems": [field_text(t, f) for f in item["error_fields"]]
                + [t("integrations.conflict." + c) for c in item["conflicts"]],
            }
            for item in listed["items"]
        ]
        runs = await visitor.backend.get(f"{API}/runs", params={"limit": 5})
    key = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/integrations.html",
        {
            "title": t("integrations.title"),
            "active": "integrations",
            "connection": connection,
            "invoices": invoices,
            "runs": runs,
            "errors": errors if errors is not None else form_errors(t),
            "values": {},
            "notice": t(key) if key else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/integrasjoner")
async def integrations_page(request: Request, visitor: CreditorAdminDep) -> Response:
    return await _page(request, visitor)


@router.post("/integrasjoner/koble-til")
async def connect(request: Request, visitor: CreditorAdminDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    values = {name: form_text(form, name) for name in KEY_FIELDS}
    errors = connection_errors(values, t)
    if not errors:
        try:
            await visitor.backend.put(API, values)
        except ApiProblem as problem:
            if problem.status >= 500 and problem.status != 502:
                raise
            errors = connection_errors(values, t, problem)
        else:
            return redirect("/integrasjoner?melding=tilkoblet")
    return await _page(request, visitor, errors=errors, status_code=400)


@router.post("/integrasjoner/faktura/{invoice_id}/prov-igjen")
async def retry(request: Request, invoice_id: int, visitor: CreditorAdminDep) -> Response:
    await csrf.checked_form(request)
    try:
        await visitor.backend.post(f"{API}/invoices/{invoice_id}/retry")
    except ApiProblem as problem:
        if problem.status not in (404, 409, 422):
            raise
        return redirect("/integrasjoner?melding=ikke-mulig")
    return redirect("/integrasjoner?melding=prov-igjen")


@router.post("/integrasjoner/{action}")
async def act(request: Request, action: str, visitor: CreditorAdminDep) -> Response:
    await csrf.checked_form(request)
    api_action = ACTIONS.get(action)
    if api_action is None:
        return redirect("/integrasjoner")
    try:
        await visitor.backend.post(f"{API}/{api_action}")
    except ApiProblem as problem:
        if problem.status not in (404, 409):
            raise
        return redirect("/integrasjoner?melding=ikke-mulig")
    return redirect(f"/integrasjoner?melding={action}")
