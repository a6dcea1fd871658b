"""«API-klienter»: a creditor admin's machine clients (create, rotate the secret, revoke).

The secret is shown once, on the page that answers the form (never in a URL, never
again); the identity service keeps only its hash.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from servicekit.roles import Scopes

from gateway.portal import csrf
from gateway.portal.api import ApiProblem
from gateway.portal.errors import error_page
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CreditorOrgAdminDep, Visitor

router = APIRouter()

PATH = "/api-klienter"
API = "/api/v1/auth/clients"
SCOPES = tuple(sorted(Scopes.ALL))
NOTICES = {"trukket": "api_clients.notice.revoked"}
MAX_NETWORK_LINES = 20


async def _clients_page(
    request: Request,
    visitor: Visitor,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    issued: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    clients = await visitor.backend.get(API)
    key = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/api_clients.html",
        {
            "title": t("api_clients.title"),
            "active": "settings",  # found under «Innstillinger» (the menu stays one line)
            "clients": clients,
            "scopes": SCOPES,
            "errors": errors or {},
            "values": values or {"scopes": [Scopes.CASES_READ]},
            "issued": issued,
            "notice": t(key) if key else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get(PATH)
async def api_clients_page(request: Request, visitor: CreditorOrgAdminDep) -> Response:
    return await _clients_page(request, visitor)


@router.post(f"{PATH}/ny")
async def create_api_client(request: Request, visitor: CreditorOrgAdminDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    networks_text = str(form.get("allowed_networks", ""))
    values: dict[str, Any] = {
        "name": str(form.get("name", "")).strip(),
        "scopes": [s for s in form.getlist("scopes") if s in Scopes.ALL],
        "allowed_networks": networks_text,
    }
    networks = [line.strip() for line in networks_text.splitlines() if line.strip()]
    errors = FormErrors(
        {
            "name": t("api_clients.name"),
            "scopes": t("api_clients.scopes"),
            "allowed_networks": t("api_clients.networks"),
        }
    )
    if not values["name"]:
        errors["name"] = t("reason.is_required")
    if not values["scopes"]:
        errors["scopes"] = t("api_clients.error.scopes")
    if len(networks) > MAX_NETWORK_LINES:
        errors["allowed_networks"] = t("api_clients.error.networks_count")
    if not errors:
        try:
            created = await visitor.backend.post(
                API,
                {
                    "name": values["name"],
                    "scopes": values["scopes"],
                    "allowed_networks": networks,
                },
            )
        except ApiProblem as problem:
            if problem.status >= 500 and problem.status != 502:
                raise
            errors.merge_problem(problem, t, fields={"name", "scopes", "allowed_networks"})
        else:
            return await _clients_page(request, visitor, issued=created)
    return await _clients_page(request, visitor, errors=errors, values=values, status_code=400)


@router.post(PATH + "/{client_id}/{action}")
async def api_client_action(
    request: Request, client_id: str, action: str, visitor: CreditorOrgAdminDep
) -> Response:
    await csrf.checked_form(request)
    try:
        uuid.UUID(client_id)
    except ValueError:
        t = Translator(language_of(request))
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    if action == "trekk-tilbake":
        await visitor.backend.post(f"{API}/{client_id}/revoke")
        return redirect(f"{PATH}?melding=trukket")
    if action == "ny-hemmelighet":
        rotated = await visitor.backend.post(f"{API}/{client_id}/rotate-secret", {})
        return await _clients_page(request, visitor, issued=rotated)
    return redirect(PATH)
