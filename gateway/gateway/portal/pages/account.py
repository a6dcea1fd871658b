"""Joining by invitation (password, then the authenticator) and resetting a password.

The links in the e-mails carry their secret after ``#token=``; browsers never send a
fragment to a server, so the page's script copies it into the form (without the script,
the person pastes it into the field the page then shows).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import csrf
from gateway.portal.api import ApiProblem, Backend
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.pages.settings import safe_svg
from gateway.portal.problems import message
from gateway.portal.render import page, redirect
from gateway.upstream import Upstreams

router = APIRouter()


def _backend(request: Request) -> Backend:
    upstreams: Upstreams = request.app.state.upstreams
    return Backend(upstreams, request, None)


def _t(request: Request) -> Translator:
    return Translator(language_of(request))


def _form_errors(t: Translator, *, code: bool = False) -> FormErrors:
    """The errors of a password form, each named in the summary by its label."""
    labels = {
        "token": t("account.token"),
        "password": t("account.choose_password"),
        "password_again": t("settings.new_password_again"),
    }
    if code:
        labels["code"] = t("signin.code")
    return FormErrors(labels)


def _passwords(form: Any, t: Translator, errors: dict[str, str]) -> str:
    password = str(form.get("password", ""))
    if not password:
        errors["password"] = t("settings.error.new_missing")
    elif password != str(form.get("password_again", "")):
        errors["password_again"] = t("settings.error.mismatch")
    return password


def _problem_error(problem: ApiProblem, t: Translator, errors: dict[str, str]) -> None:
    if problem.status >= 500:
        raise problem
    if problem.type.endswith("password-rejected"):
        errors["password"] = message(problem, t)
    elif problem.status == 410:
        errors["_"] = t("account.link_used")
    elif problem.status in (401, 422) and problem.errors:
        errors["_"] = message(problem, t)
    elif problem.status == 401:
        errors["code"] = t("signin.error.code_wrong")
    else:
        errors["_"] = message(problem, t)


@router.get("/invitation")
async def invitation_page(request: Request) -> Response:
    t = _t(request)
    return page(request, "portal/invitation.html", {"title": t("account.invitation_title")})


@router.post("/invitation")
async def accept_invitation(request: Request) -> Response:
    form = await csrf.checked_form(request)
    t = _t(request)
    errors = _form_errors(t)
    token = str(form.get("token", "")).strip()
    if not token:
        errors["token"] = t("account.token_missing")
    password = _passwords(form, t, errors)
    if not errors:
        try:
            enrolment = await _backend(request).post(
                "/api/v1/auth/invitations/accept", {"token": token, "password": password}
            )
        except ApiProblem as problem:
            _problem_error(problem, t, errors)
        else:
            return page(
                request,
                "portal/enrol.html",
                {
                    "title": t("enrol.title"),
                    "enrolment": enrolment,
                    "qr": safe_svg(str(enrolment.get("qr_svg", ""))),
                    "errors": {},
                    "action": "/invitation/bekreft",
                },
            )
    context = {"title": t("account.invitation_title"), "errors": errors, "token": token}
    return page(request, "portal/invitation.html", context, status_code=400)


@router.post("/invitation/bekreft")
async def confirm_invitation(request: Request) -> Response:
    form = await csrf.checked_form(request)
    t = _t(request)
    enrolment = {k: str(form.get(k, "")) for k in ("enrolment_token", "secret")}
    code = str(form.get("code", "")).replace(" ", "")
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = t("signin.error.code_missing")
    else:
        try:
            answer = await _backend(request).post(
                "/api/v1/auth/invitations/confirm",
                {"enrolment_token": enrolment["enrolment_token"], "code": code},
            )
        except ApiProblem as problem:
            _problem_error(problem, t, errors)
            if "_" in errors and problem.status in (401, 422):
                errors = {"code": t("signin.error.code_wrong")}
        else:
            return page(
                request,
                "portal/recovery_codes.html",
                {
                    "title": t("codes.title"),
                    "codes": answer["recovery_codes"],
                    "next": "/logg-inn?melding=aktivert",
                },
            )
    context = {
        "title": t("enrol.title"),
        "enrolment": enrolment,
        "qr": None,
        "errors": errors,
        "action": "/invitation/bekreft",
    }
    return page(request, "portal/enrol.html", context, status_code=400)


@router.get("/glemt-passord")
async def forgot_page(request: Request) -> Response:
    t = _t(request)
    return page(request, "portal/forgot.html", {"title": t("account.forgot_title")})


@router.post("/glemt-passord")
async def forgot(request: Request) -> Response:
    form = await csrf.checked_form(request)
    t = _t(request)
    email = str(form.get("email", "")).strip()
    if not email or "@" not in email:
        errors = {"email": t("signin.error.email_missing")}
        context = {"title": t("account.forgot_title"), "errors": errors, "email": email}
        return page(request, "portal/forgot.html", context, status_code=400)
    try:
        await _backend(request).post("/api/v1/auth/password-reset", {"email": email})
    except ApiProblem as problem:
        if problem.status >= 500 or problem.status == 429:
            raise
    return page(request, "portal/forgot.html", {"title": t("account.forgot_title"), "sent": True})


@router.get("/password-reset")
async def reset_page(request: Request) -> Response:
    t = _t(request)
    return page(request, "portal/reset.html", {"title": t("account.reset_title")})


@router.post("/password-reset")
async def reset(request: Request) -> Response:
    form = await csrf.checked_form(request)
    t = _t(request)
    errors = _form_errors(t, code=True)
    token = str(form.get("token", "")).strip()
    if not token:
        errors["token"] = t("account.token_missing")
    password = _passwords(form, t, errors)
    code = str(form.get("code", "")).replace(" ", "")
    recovery = str(form.get("recovery_code", "")).strip()
    if not code and not recovery:
        errors["code"] = t("signin.error.code_missing")
    if not errors:
        body: dict[str, Any] = {"token": token, "password": password}
        body.update({"code": code} if code else {"recovery_code": recovery})
        try:
            await _backend(request).post("/api/v1/auth/password-reset/confirm", body)
        except ApiProblem as problem:
            _problem_error(problem, t, errors)
        else:
            return redirect("/logg-inn?melding=nytt-passord")
    context = {"title": t("account.reset_title"), "errors": errors, "token": token}
    return page(request, "portal/reset.html", context, status_code=400)
