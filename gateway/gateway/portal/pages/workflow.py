"""Case-handler tools: the work queue, and the case actions (for creditors: withdrawing)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import case_actions, csrf, formatting
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.organisation_names import organisation_names
from gateway.portal.pages.cases import case_page
from gateway.portal.problems import normalise_field
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CaseHandlerDep, Visitor, VisitorDep

router = APIRouter()

REASONS = (
    "time_barred",
    "limitation_30d",
    "objection",
    "legal_decision",
    "new_demand_needed",
    "payment_plan_ended",
    "limitation_90d",
)


@router.get("/saksbehandler")
async def work_queue(request: Request, visitor: CaseHandlerDep) -> Response:
    t = Translator(language_of(request))
    reason = request.query_params.get("grunn", "")
    cursor = request.query_params.get("cursor", "")
    params: dict[str, Any] = {"limit": 25}
    if reason in REASONS:
        params["reason"] = reason
    if cursor:
        params["cursor"] = cursor
    queue = await visitor.backend.get("/api/v1/cases/work-queue", params=params)
    unread = await visitor.backend.get("/api/v1/cases/notes/unread", params={"limit": 20})
    return page(
        request,
        "portal/work_queue.html",
        {
            "title": t("queue.title"),
            "active": "queue",
            "queue": queue,
            "creditor_names": await organisation_names(
                visitor, (c["creditor_id"] for c in queue["items"])
            ),
            "unread": unread,
            "reasons": REASONS,
            "reason": reason if reason in REASONS else "",
            "paged": bool(cursor),
        },
        visitor=visitor,
    )


@router.get("/saker/{case_id}/handling")
async def action_anchor(case_id: str) -> Response:
    return redirect(f"/saker/{case_id}#handlinger")


@router.post("/saker/{case_id}/handling")
async def act(request: Request, case_id: str, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    wanted = case_actions.request_for(case_id, form, t, agency=visitor.is_agency)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    errors = wanted.errors
    if errors or wanted.body is None:
        if not errors:
            errors.general(t("actions.unknown"))
        return await case_page(
            request, visitor, case_id, action_errors=errors, action_values=values, status_code=400
        )
    if wanted.action == "payment_plan":
        await _check_plan(visitor, case_id, wanted.body, errors, t)
        if errors:
            return await case_page(
                request,
                visitor,
                case_id,
                action_errors=errors,
                action_values=values,
                status_code=400,
            )
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    try:
        await visitor.backend.post(wanted.path, wanted.body, idempotency_key=key)
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        errors.merge_problem(
            problem,
            t,
            fields=case_actions.FIELD_LABELS,
            renames=_plan_fields(problem),
            whole=problem.status == 409,
        )
        return await case_page(
            request, visitor, case_id, action_errors=errors, action_values=values, status_code=400
        )
    return redirect(f"/saker/{case_id}?melding=handling#handlinger")


def _plan_fields(problem: ApiProblem) -> dict[str, str]:
    """The payment plan's instalments are typed as a count, an amount and a first date."""
    renames: dict[str, str] = {}
    for error in problem.errors:
        name = normalise_field(error.field)
        if name.startswith("instalments."):
            renames[name] = "amount" if name.endswith("amount_ore") else "first_due"
    return renames


async def _check_plan(
    visitor: Visitor, case_id: str, body: dict[str, Any], errors: FormErrors, t: Translator
) -> None:
    """The instalments against the debt (the ledger's check: the balance, the interest
    of the plan's months and the avdragsgebyr): a plan that does not pay is refused at
    the amount field, with how much is missing and what each instalment must be."""
    try:
        checked = await visitor.backend.post(
            f"/api/v1/ledger/cases/{case_id}/payment-plan-check", body
        )
    except ApiProblem as problem:
        if problem.status >= 500 or problem.status == 404:
            errors.general(t("plan.check_unavailable"))
            return
        raise
    if checked["covers"]:
        return
    count = len(body["instalments"])
    lang = t.lang
    needed = body["instalments"][0]["amount_ore"] + -(-int(checked["missing_ore"]) // count)
    errors.add(
        "amount",
        t(
            "plan.missing",
            missing=formatting.amount(int(checked["missing_ore"]), lang),
            total=formatting.amount(int(checked["total_ore"]), lang),
            balance=formatting.amount(int(checked["balance_ore"]), lang),
            interest=formatting.amount(int(checked["interest_ore"]), lang),
            fees=formatting.amount(int(checked["fees_ore"]), lang),
            instalments=formatting.amount(int(checked["instalments_ore"]), lang),
            needed=formatting.amount(needed, lang),
        ),
    )
