"""Own settings: e-mail notices, password, the authenticator, recovery codes and sessions."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import csrf
from gateway.portal.api import ApiProblem
from gateway.portal.devices import describe
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.problems import message
from gateway.portal.render import page, redirect
from gateway.portal.visitor import Visitor, VisitorDep, forget_tokens

router = APIRouter()

NOTICES = {
    "passord": "settings.notice.password",
    "okt": "settings.notice.session",
    "app": "settings.notice.app",
    "varsler": "settings.notice.notifications",
}
NOTIFICATIONS = "/api/v1/auth/me/notifications"


def safe_svg(markup: str) -> str | None:
    """The identity service's QR code, inlined only when it is plainly an SVG image."""
    text = markup.strip()
    lowered = text.lower()
    if not lowered.startswith("<svg") or any(
        bad in lowered for bad in ("<script", "javascript:", "onload", "onerror", "<foreign")
    ):
        return None
    return text


async def _settings_page(
    request: Request,
    visitor: Visitor,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = language_of(request)
    t = Translator(lang)
    me = await visitor.backend.get("/api/v1/auth/me")
    notifications = await visitor.backend.get(NOTIFICATIONS)
    sessions = [
        {**s, "device": describe(s.get("client"), lang)}
        for s in await visitor.backend.get("/api/v1/auth/sessions")
    ]
    key = NOTICES.get(request.query_params.get("melding", ""))
    context: dict[str, Any] = {
        "title": t("settings.title"),
        "active": "settings",
        "me": me,
        "notifications": notifications,
        "sessions": sessions,
        "errors": errors or {},
        "notice": notice or (t(key, n=request.query_params.get("n", "0")) if key else None),
    }
    return page(request, "portal/settings.html", context, visitor=visitor, status_code=status_code)


@router.get("/innstillinger")
async def settings_page(request: Request, visitor: VisitorDep) -> Response:
    return await _settings_page(request, visitor)


def _problem_errors(problem: ApiProblem, t: Translator, field: str) -> dict[str, str]:
    if problem.status in (401, 403) or problem.type.endswith("invalid-credentials"):
        return {field: t("settings.error.wrong_current")}
    return {field: message(problem, t)}


@router.post("/innstillinger/varsler")
async def save_notifications(request: Request, visitor: VisitorDep) -> Response:
    """«Varsle meg på e-post når nye dokumenter er klare»: an unticked box is not sent."""
    form = await csrf.checked_form(request)
    await visitor.backend.put(NOTIFICATIONS, {"documents": form.get("documents") == "1"})
    return redirect("/innstillinger?melding=varsler")


@router.post("/innstillinger/passord")
async def change_password(request: Request, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    current = str(form.get("current_password", ""))
    new = str(form.get("new_password", ""))
    again = str(form.get("new_password_again", ""))
    errors = FormErrors(
        {
            "current_password": t("settings.current_password"),
            "new_password": t("settings.new_password"),
            "new_password_again": t("settings.new_password_again"),
        }
    )
    if not current:
        errors["current_password"] = t("settings.error.current_missing")
    if not new:
        errors["new_password"] = t("settings.error.new_missing")
    if new and new != again:
        errors["new_password_again"] = t("settings.error.mismatch")
    if not errors:
        try:
            answer = await visitor.backend.post(
                "/api/v1/auth/me/password", {"current_password": current, "new_password": new}
            )
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
            if problem.type.endswith("password-rejected"):
                errors["new_password"] = message(problem, t)
            else:
                errors.update(_problem_errors(problem, t, "current_password"))
        else:
            return redirect(f"/innstillinger?melding=passord&n={answer['sessions_ended']}")
    return await _settings_page(request, visitor, errors={"password": errors}, status_code=400)


@router.post("/innstillinger/okter/{session_id}/avslutt")
async def end_session(request: Request, session_id: str, visitor: VisitorDep) -> Response:
    await csrf.checked_form(request)
    uuid.UUID(session_id)
    await visitor.backend.delete(f"/api/v1/auth/sessions/{session_id}")
    return redirect("/innstillinger?melding=okt")


@router.post("/innstillinger/logg-ut-overalt")
async def sign_out_everywhere(request: Request, visitor: VisitorDep) -> Response:
    await csrf.checked_form(request)
    await visitor.backend.post("/api/v1/auth/sign-out-everywhere")
    forget_tokens(request)
    return redirect("/logg-inn?melding=logget-ut")


@router.post("/innstillinger/app")
async def replace_authenticator(request: Request, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    password = str(form.get("password", ""))
    code = str(form.get("code", "")).replace(" ", "")
    errors = FormErrors(
        {"password": t("settings.current_password"), "code": t("settings.current_code")}
    )
    if not password:
        errors["password"] = t("settings.error.current_missing")
    if not code:
        errors["code"] = t("signin.error.code_missing")
    if not errors:
        try:
            enrolment = await visitor.backend.post(
                "/api/v1/auth/me/totp", {"password": password, "code": code}
            )
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
            errors.update(_problem_errors(problem, t, "code"))
        else:
            return _enrol_page(request, visitor, enrolment, {})
    return await _settings_page(request, visitor, errors={"app": errors}, status_code=400)


def _enrol_page(
    request: Request,
    visitor: Visitor,
    enrolment: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    t = Translator(language_of(request))
    return page(
        request,
        "portal/enrol.html",
        {
            "title": t("enrol.title"),
            "active": "settings",
            "enrolment": enrolment,
            "qr": safe_svg(str(enrolment.get("qr_svg", ""))),
            "errors": errors,
            "action": "/innstillinger/app/bekreft",
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.post("/innstillinger/app/bekreft")
async def confirm_authenticator(request: Request, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    enrolment = {k: str(form.get(k, "")) for k in ("enrolment_token", "secret", "otpauth_uri")}
    code = str(form.get("code", "")).replace(" ", "")
    try:
        await visitor.backend.post(
            "/api/v1/auth/me/totp/confirm",
            {"enrolment_token": enrolment["enrolment_token"], "code": code},
        )
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        error = (
            t("signin.error.code_wrong") if problem.status in (401, 422) else message(problem, t)
        )
        return _enrol_page(request, visitor, enrolment, {"code": error}, status_code=400)
    return redirect("/innstillinger?melding=app")


@router.post("/innstillinger/gjenopprettingskoder")
async def new_recovery_codes(request: Request, visitor: VisitorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    code = str(form.get("code", "")).replace(" ", "")
    if not code:
        errors = {"code": t("signin.error.code_missing")}
        return await _settings_page(request, visitor, errors={"codes": errors}, status_code=400)
    try:
        answer = await visitor.backend.post("/api/v1/auth/me/recovery-codes", {"code": code})
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        errors = _problem_errors(problem, t, "code")
        return await _settings_page(request, visitor, errors={"codes": errors}, status_code=400)
    return page(
        request,
        "portal/recovery_codes.html",
        {"title": t("codes.title"), "codes": answer["recovery_codes"], "next": "/innstillinger"},
        visitor=visitor,
    )
