"""«Webhooks»: a creditor admin's endpoints for signed events, through the webhooks service.

``/webhooks`` lists the organisation's endpoints (``GET /api/v1/webhooks/endpoints``) with
their event-type filter and state, and the form to add one (``POST …``: the secret
``whsec_…`` is shown on the page that answers, once, never in a URL). An endpoint's own
page ``/webhooks/{id}`` changes its URL, filter and description (``PATCH``), disables or
enables it, rotates its secret (shown once; the previous one signs for the overlap window),
shows the delivery log (``GET …/attempts``, newest first, ``eldre=`` pages back) and sends
one event or a time range again (``POST …/redeliver``). The service's codes are
translated here (the portal catalogs, `gateway/locale`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from gateway.portal import csrf
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.errors import error_page
from gateway.portal.formatting import OSLO, form_text
from gateway.portal.i18n import Translator, language_of
from gateway.portal.problems import field_errors
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CreditorOrgAdminDep, Visitor

router = APIRouter()

PATH = "/webhooks"
API = "/api/v1/webhooks"
FIELDS = {"url", "event_types", "description"}
REDELIVERY_FIELDS = {"message_id", "since", "until"}
LOG_PAGE = 50
NOTICES = {
    "endret": "webhooks.notice.changed",
    "deaktivert": "webhooks.notice.disabled",
    "aktivert": "webhooks.notice.enabled",
}


def _endpoint_id(endpoint_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(endpoint_id)
    except ValueError:
        return None


def _not_found(request: Request) -> Response:
    t = Translator(language_of(request))
    return error_page(request, 404, "error.not_found_title", t("error.not_found"))


def _endpoint_values(form: FormData, known_types: set[str]) -> dict[str, Any]:
    return {
        "url": form_text(form, "url"),
        "description": form_text(form, "description"),
        "event_types": [str(e) for e in form.getlist("event_types") if e in known_types],
    }


def local_moment(text: str) -> str | None:
    """A ``datetime-local`` field (Oslo time, ``2026-12-06T10:00``) as an aware ISO time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=OSLO)
    return moment.isoformat()


async def _event_types(visitor: Visitor) -> list[str]:
    listed = await visitor.backend.get(f"{API}/event-types")
    return [str(item["type"]) for item in listed]


async def _list_page(
    request: Request,
    visitor: Visitor,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    issued: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    endpoints = await visitor.backend.get(f"{API}/endpoints")
    return page(
        request,
        "portal/webhooks.html",
        {
            "title": t("webhooks.title"),
            "active": "settings",  # found under «Innstillinger», beside «API-klienter»
            "endpoints": endpoints,
            "event_types": await _event_types(visitor),
            "errors": errors or {},
            "values": values or {"event_types": []},
            "issued": issued,
        },
        visitor=visitor,
        status_code=status_code,
    )


async def _endpoint_page(
    request: Request,
    visitor: Visitor,
    endpoint_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    redelivery_errors: dict[str, str] | None = None,
    issued: dict[str, Any] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    try:
        endpoint = await visitor.backend.get(f"{API}/endpoints/{endpoint_id}")
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        return _not_found(request)
    params: dict[str, Any] = {"limit": LOG_PAGE}
    older = request.query_params.get("eldre", "")
    if older.isdigit() and 0 < int(older) < 2**63:
        params["before"] = int(older)
    log = await visitor.backend.get(f"{API}/endpoints/{endpoint_id}/attempts", params=params)
    key = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/webhook.html",
        {
            "title": t("webhooks.endpoint_title"),
            "active": "settings",
            "endpoint": endpoint,
            "attempts": log["attempts"],
            "next_before": log["next_before"],
            "event_types": await _event_types(visitor),
            "errors": errors or {},
            "values": values or endpoint,
            "redelivery_errors": redelivery_errors or {},
            "issued": issued,
            "notice": notice or (t(key) if key else None),
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get(PATH)
async def webhooks_page(request: Request, visitor: CreditorOrgAdminDep) -> Response:
    return await _list_page(request, visitor)


@router.post(f"{PATH}/ny")
async def create_endpoint(request: Request, visitor: CreditorOrgAdminDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    values = _endpoint_values(form, set(await _event_types(visitor)))
    errors: dict[str, str] = {}
    if not values["url"]:
        errors["url"] = t("reason.is_required")
    if not values["event_types"]:
        errors["event_types"] = t("reason.event_types_required")
    if not errors:
        try:
            created = await visitor.backend.post(
                f"{API}/endpoints", values, idempotency_key=new_idempotency_key()
            )
        except ApiProblem as problem:
            if problem.status >= 500 and problem.status != 502:
                raise
            errors = field_errors(problem, t, FIELDS)
        else:
            return await _list_page(request, visitor, issued=created)
    return await _list_page(request, visitor, errors=errors, values=values, status_code=400)


@router.get(PATH + "/{endpoint_id}")
async def endpoint_page(
    request: Request, endpoint_id: str, visitor: CreditorOrgAdminDep
) -> Response:
    found = _endpoint_id(endpoint_id)
    if found is None:
        return _not_found(request)
    return await _endpoint_page(request, visitor, found)


@router.post(PATH + "/{endpoint_id}/endre")
async def change_endpoint(
    request: Request, endpoint_id: str, visitor: CreditorOrgAdminDep
) -> Response:
    form = await csrf.checked_form(request)
    found = _endpoint_id(endpoint_id)
    if found is None:
        return _not_found(request)
    t = Translator(language_of(request))
    values = _endpoint_values(form, set(await _event_types(visitor)))
    errors: dict[str, str] = {}
    if not values["url"]:
        errors["url"] = t("reason.is_required")
    if not values["event_types"]:
        errors["event_types"] = t("reason.event_types_required")
    if not errors:
        try:
            await visitor.backend.patch(f"{API}/endpoints/{found}", values)
        except ApiProblem as problem:
            if problem.status == 404:
                return _not_found(request)
            if problem.status >= 500 and problem.status != 502:
                raise
            errors = field_errors(problem, t, FIELDS)
        else:
            return redirect(f"{PATH}/{found}?melding=endret")
    return await _endpoint_page(
        request, visitor, found, errors=errors, values=values, status_code=400
    )


@router.post(PATH + "/{endpoint_id}/send-igjen")
async def redeliver(request: Request, endpoint_id: str, visitor: CreditorOrgAdminDep) -> Response:
    form = await csrf.checked_form(request)
    found = _endpoint_id(endpoint_id)
    if found is None:
        return _not_found(request)
    t = Translator(language_of(request))
    errors: dict[str, str] = {}
    body: dict[str, str] = {}
    message_id = form_text(form, "message_id")
    if message_id:
        body["message_id"] = message_id
    else:
        for name in ("since", "until"):
            text = form_text(form, name)
            moment = local_moment(text) if text else None
            if moment is None:
                errors[name] = t("webhooks.error.moment") if text else t("reason.is_required")
            else:
                body[name] = moment
    if not errors:
        try:
            answer = await visitor.backend.post(
                f"{API}/endpoints/{found}/redeliver", body, idempotency_key=new_idempotency_key()
            )
        except ApiProblem as problem:
            if problem.status == 404:
                return _not_found(request)
            if problem.status >= 500 and problem.status != 502:
                raise
            errors = field_errors(problem, t, REDELIVERY_FIELDS)
        else:
            notice = t("webhooks.notice.redelivered", count=answer["queued"])
            return await _endpoint_page(request, visitor, found, notice=notice)
    return await _endpoint_page(request, visitor, found, redelivery_errors=errors, status_code=400)


@router.post(PATH + "/{endpoint_id}/{action}")
async def endpoint_action(
    request: Request, endpoint_id: str, action: str, visitor: CreditorOrgAdminDep
) -> Response:
    await csrf.checked_form(request)
    found = _endpoint_id(endpoint_id)
    if found is None:
        return _not_found(request)
    try:
        if action in ("deaktiver", "aktiver"):
            enabled = action == "aktiver"
            await visitor.backend.patch(f"{API}/endpoints/{found}", {"enabled": enabled})
            return redirect(f"{PATH}/{found}?melding={'aktivert' if enabled else 'deaktivert'}")
        if action == "ny-hemmelighet":
            rotated = await visitor.backend.post(
                f"{API}/endpoints/{found}/rotate-secret", idempotency_key=new_idempotency_key()
            )
            return await _endpoint_page(request, visitor, found, issued=rotated)
    except ApiProblem as problem:
        if problem.status == 404:
            return _not_found(request)
        raise
    return redirect(f"{PATH}/{found}")
