"""Creditors and their agreements (oppdragsavtaler), for agency administrators.

The creditor organisations come from the identity service (``GET /api/v1/auth/
organisations?kind=creditor``, by name, a page at a time), their agreements from the
ledger (``GET /api/v1/ledger/creditor-agreements`` for the page's creditors: one not
listed has none, and a settlement run skips it). An agreement is edited with ``PUT
/api/v1/ledger/creditors/{id}/agreement``; the ledger checks it and its errors are shown
next to the fields.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import agreement_form, csrf
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.errors import error_page
from gateway.portal.i18n import Translator, language_of
from gateway.portal.problems import field_errors, message
from gateway.portal.render import page, redirect
from gateway.portal.visitor import AgencyAdminDep, Visitor

router = APIRouter()

ORGANISATIONS = "/api/v1/auth/organisations"
LEDGER = "/api/v1/ledger"
PAGE_SIZE = 50
NOTICES = {"lagret": "agreement.notice.saved"}


def agreement_state(agreement: dict[str, Any] | None) -> str:
    """``none`` (nothing stored: the defaults apply and settlements skip the creditor),
    ``no_payout`` (stored, but no account and holder to pay out to) or ``ready``."""
    if agreement is None or agreement.get("updated_at") is None:
        return "none"
    if not (agreement.get("payout_account") and agreement.get("payout_name")):
        return "no_payout"
    return "ready"


def _valid_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@router.get("/oppdragsgivere")
async def creditors_page(request: Request, visitor: AgencyAdminDep) -> Response:
    t = Translator(language_of(request))
    search = request.query_params.get("q", "").strip()[:200]
    after = request.query_params.get("etter", "")
    params: dict[str, Any] = {"kind": "creditor", "limit": PAGE_SIZE}
    if search:
        params["q"] = search
    if after and _valid_id(after):
        params["after"] = after
    try:
        organisations: list[dict[str, Any]] = await visitor.backend.get(ORGANISATIONS, params)
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        organisations, search = [], ""
    agreements: dict[str, dict[str, Any]] = {}
    if organisations:
        found = await visitor.backend.get(
            f"{LEDGER}/creditor-agreements",
            [("creditor_id", o["id"]) for o in organisations],
        )
        agreements = {str(a["creditor_id"]): a for a in found}
    rows = [
        {
            "organisation": o,
            "agreement": agreements.get(str(o["id"])),
            "state": agreement_state(agreements.get(str(o["id"]))),
        }
        for o in organisations
    ]
    next_after = organisations[-1]["id"] if len(organisations) == PAGE_SIZE else None
    return page(
        request,
        "portal/creditors.html",
        {
            "title": t("creditors.title"),
            "active": "creditors",
            "rows": rows,
            "search": search,
            "paged": bool(after),
            "next_after": next_after,
            "format_account": agreement_form.format_account,
            "percent": agreement_form.percent_text,
        },
        visitor=visitor,
    )


async def _agreement_page(
    request: Request,
    visitor: Visitor,
    creditor_id: str,
    *,
    form: agreement_form.AgreementForm | None = None,
    key: str | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    organisation = await visitor.backend.get(f"{ORGANISATIONS}/{creditor_id}")
    if organisation.get("kind") != "creditor":
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    agreement = await visitor.backend.get(f"{LEDGER}/creditors/{creditor_id}/agreement")
    values = form.values if form else agreement_form.values_of(agreement, t.lang)
    notice = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/creditor.html",
        {
            "title": t("creditor.title", name=organisation["name"]),
            "active": "creditors",
            "organisation": organisation,
            "agreement": agreement,
            "state": agreement_state(agreement),
            "orders": agreement_form.order_choices(agreement.get("allocation_order")),
            "order_value": agreement_form.order_value,
            "format_account": agreement_form.format_account,
            "percent": agreement_form.percent_text,
            "values": values,
            "errors": form.errors if form else {},
            "idempotency_key": key or new_idempotency_key(),
            "notice": t(notice) if notice else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/oppdragsgivere/{creditor_id}")
async def creditor_page(request: Request, creditor_id: str, visitor: AgencyAdminDep) -> Response:
    if not _valid_id(creditor_id):
        t = Translator(language_of(request))
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    return await _agreement_page(request, visitor, creditor_id)


@router.post("/oppdragsgivere/{creditor_id}")
async def save_agreement(request: Request, creditor_id: str, visitor: AgencyAdminDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    if not _valid_id(creditor_id):
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    organisation = await visitor.backend.get(f"{ORGANISATIONS}/{creditor_id}")
    if organisation.get("kind") != "creditor":  # no agreement for the agency itself
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    agreement = await visitor.backend.get(f"{LEDGER}/creditors/{creditor_id}/agreement")
    allowed = agreement_form.order_choices(agreement.get("allocation_order"))
    typed = agreement_form.read(form, t, allowed_orders=allowed)
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    if typed.errors or typed.body is None:
        return await _agreement_page(
            request, visitor, creditor_id, form=typed, key=key, status_code=400
        )
    try:
        await visitor.backend.call(
            "PUT",
            f"{LEDGER}/creditors/{creditor_id}/agreement",
            json_body=typed.body,
            headers={"idempotency-key": key},
        )
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        errors = field_errors(problem, t, set(agreement_form.FIELDS))
        if problem.status == 409 or set(errors) <= {"_"}:
            errors = {"_": message(problem, t), **{k: v for k, v in errors.items() if k != "_"}}
        typed.errors = errors
        # a refused request may be corrected and sent again: a new key for the next try
        return await _agreement_page(
            request, visitor, creditor_id, form=typed, key=new_idempotency_key(), status_code=400
        )
    return redirect(f"/oppdragsgivere/{creditor_id}?melding=lagret")
