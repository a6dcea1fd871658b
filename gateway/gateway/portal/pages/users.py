"""Creditor admins (and agency admins) manage their own organisation's users."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from servicekit.roles import Roles

from gateway.portal import csrf, form_errors
from gateway.portal.api import ApiProblem
from gateway.portal.errors import error_page
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CreditorAdminDep, Visitor

router = APIRouter()

NOTICES = {
    "invitert": "users.notice.invited",
    "deaktivert": "users.notice.deactivated",
    "aktivert": "users.notice.reactivated",
    "sendt": "users.notice.resent",
    "drift-paa": "users.notice.ops_granted",
    "drift-av": "users.notice.ops_revoked",
}
OPS_ACTIONS = {"drift-paa": True, "drift-av": False}
"""Agency administrators give or take the ``ops`` role (the identity service audits it)."""
ACTIONS = {"deaktiver": "deactivate", "aktiver": "reactivate", "invitasjon": "invitation"}
ACTION_NOTICES = {"deaktiver": "deaktivert", "aktiver": "aktivert", "invitasjon": "sendt"}


def roles_for(visitor: Visitor) -> tuple[str, ...]:
    """The roles an admin can give in their own organisation."""
    if visitor.is_agency:
        return ("case_handler", "agency_admin", "ops")
    return ("creditor", "credit_orderer", "creditor_admin")


async def _users_page(
    request: Request,
    visitor: Visitor,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    organisation = visitor.principal.organisation_id
    users = await visitor.backend.get(f"/api/v1/auth/organisations/{organisation}/users")
    key = NOTICES.get(request.query_params.get("melding", ""))
    return page(
        request,
        "portal/users.html",
        {
            "title": t("users.title"),
            "active": "users",
            "users": users,
            "roles": roles_for(visitor),
            "errors": errors or {},
            "values": values or {"roles": [roles_for(visitor)[0]]},
            "notice": t(key) if key else None,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/brukere")
async def users_page(request: Request, visitor: CreditorAdminDep) -> Response:
    return await _users_page(request, visitor)


@router.post("/brukere/inviter")
async def invite(request: Request, visitor: CreditorAdminDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    allowed = roles_for(visitor)
    email = str(form.get("email", "")).strip()
    values: dict[str, Any] = {
        "email": email,
        "full_name": str(form.get("full_name", "")).strip(),
        "roles": [r for r in form.getlist("roles") if r in allowed],
    }
    errors = FormErrors(
        {
            "full_name": t("settings.name"),
            "email": t("signin.email"),
            "roles": t("settings.roles"),
        }
    )
    if not values["email"]:
        errors["email"] = t("reason.is_required")
    elif not form_errors.looks_like_email(email):
        errors["email"] = t("reason.is_not_an_e_mail_address")
    if not values["full_name"]:
        errors["full_name"] = t("reason.is_required")
    if not values["roles"]:
        errors["roles"] = t("users.error.roles")
    if not errors:
        organisation = visitor.principal.organisation_id
        try:
            await visitor.backend.post(
                f"/api/v1/auth/organisations/{organisation}/users",
                {k: values[k] for k in ("email", "full_name", "roles")},
            )
        except ApiProblem as problem:
            if problem.status >= 500 and problem.status != 502:
                raise
            errors.merge_problem(
                problem, t, fields={"email", "full_name", "roles"}, whole=problem.status == 409
            )
        else:
            return redirect("/brukere?melding=invitert")
    errors = errors.ordered(["full_name", "email", "roles"])
    return await _users_page(request, visitor, errors=errors, values=values, status_code=400)


@router.post("/brukere/{user_id}/{action}")
async def user_action(
    request: Request, user_id: str, action: str, visitor: CreditorAdminDep
) -> Response:
    await csrf.checked_form(request)
    api_action = ACTIONS.get(action)
    try:
        uuid.UUID(user_id)
    except ValueError:
        t = Translator(language_of(request))
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    if action in OPS_ACTIONS and visitor.is_agency_admin:
        user = await visitor.backend.get(f"/api/v1/auth/users/{user_id}")
        roles = set(user["roles"]) - {Roles.OPS}
        if OPS_ACTIONS[action]:
            roles.add(Roles.OPS)
        await visitor.backend.patch(f"/api/v1/auth/users/{user_id}", {"roles": sorted(roles)})
        return redirect(f"/brukere?melding={action}")
    if api_action is None:
        return redirect("/brukere")
    await visitor.backend.post(f"/api/v1/auth/users/{user_id}/{api_action}")
    return redirect(f"/brukere?melding={ACTION_NOTICES[action]}")
