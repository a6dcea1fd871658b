"""Signing in (password, then the authenticator code), signing out, the language switch."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.cookies import new_csrf_token
from gateway.portal import csrf
from gateway.portal.api import ApiProblem, Backend
from gateway.portal.cookies import queue
from gateway.portal.i18n import LANGUAGES, Translator, language_cookie, language_of
from gateway.portal.problems import message
from gateway.portal.render import page, redirect
from gateway.portal.tokens import TokenSet
from gateway.portal.visitor import (
    SignInRequired,
    Unavailable,
    cookie_names,
    deliver_tokens,
    forget_tokens,
    is_own_path,
    signed_in,
)
from gateway.upstream import Upstreams

router = APIRouter()

START = "/oversikt"
NOTICES = ("utlopt", "avsluttet", "logget-ut", "aktivert", "nytt-passord")


def _next(value: object) -> str:
    return value if isinstance(value, str) and is_own_path(value) else START


def _backend(request: Request) -> Backend:
    upstreams: Upstreams = request.app.state.upstreams
    return Backend(upstreams, request, None)


def _t(request: Request) -> Translator:
    return Translator(language_of(request))


@router.get("/logg-inn")
async def sign_in_page(request: Request, neste: str = START, melding: str = "") -> Response:
    t = _t(request)
    names = cookie_names(request)
    if request.cookies.get(names.access) or request.cookies.get(names.refresh):
        try:
            await signed_in(request)
        except (SignInRequired, Unavailable):
            pass
        else:
            return redirect(_next(neste))
    context: dict[str, Any] = {"title": t("signin.title"), "next": _next(neste), "values": {}}
    if melding in NOTICES:
        context["notice"] = t(f"signin.notice.{melding}")
        context["notice_kind"] = "info"
    return page(request, "portal/signin.html", context)


@router.post("/logg-inn")
async def sign_in_password(request: Request) -> Response:
    form = await csrf.checked_form(request)
    t = _t(request)
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    next_path = _next(form.get("neste"))
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = t("signin.error.email_missing")
    if not password:
        errors["password"] = t("signin.error.password_missing")
    if not errors:
        try:
            answer = await _backend(request).post(
                "/api/v1/auth/sign-in", {"email": email, "password": password}
            )
        except ApiProblem as problem:
            if problem.status in (401, 422):
                errors["_"] = t("signin.error.wrong")
            else:
                errors["_"] = message(problem, t)
        else:
            return page(
                request,
                "portal/signin_code.html",
                {
                    "title": t("signin.code_title"),
                    "challenge": answer["challenge"],
                    "next": next_path,
                    "errors": {},
                },
            )
    context = {"title": t("signin.title"), "next": next_path, "values": {"email": email}}
    return page(request, "portal/signin.html", {**context, "errors": errors}, status_code=400)


@router.post("/logg-inn/kode")
async def sign_in_code(request: Request) -> Response:
    form = await csrf.checked_form(request)
    t = _t(request)
    challenge = str(form.get("challenge", ""))
    code = str(form.get("code", "")).replace(" ", "").strip()
    recovery = str(form.get("recovery_code", "")).strip()
    next_path = _next(form.get("neste"))
    errors: dict[str, str] = {}
    if not code and not recovery:
        errors["code"] = t("signin.error.code_missing")
    elif code and not (code.isdigit() and len(code) == 6):
        errors["code"] = t("signin.error.code_format")
    if not errors:
        body = {"challenge": challenge, "code": code or None}
        if recovery and not code:
            body = {"challenge": challenge, "recovery_code": recovery}
        try:
            answer = await _backend(request).post("/api/v1/auth/sign-in/second-factor", body)
            tokens = TokenSet.of(answer)
        except ApiProblem as problem:
            if problem.type.endswith("invalid-token"):
                context = {"title": t("signin.title"), "next": next_path, "values": {}}
                context["errors"] = {"_": t("signin.error.challenge_expired")}
                return page(request, "portal/signin.html", context, status_code=400)
            errors["code"] = (
                t("signin.error.code_wrong")
                if problem.status in (401, 422)
                else message(problem, t)
            )
        except ValueError:
            errors["_"] = t("problem.unavailable")
        else:
            deliver_tokens(request, tokens, csrf=new_csrf_token())
            return redirect(next_path)
    context = {"title": t("signin.code_title"), "challenge": challenge, "next": next_path}
    return page(request, "portal/signin_code.html", {**context, "errors": errors}, status_code=400)


@router.post("/logg-ut")
async def sign_out(request: Request) -> Response:
    await csrf.checked_form(request)
    names = cookie_names(request)
    token = request.cookies.get(names.access, "")
    if token:
        upstreams: Upstreams = request.app.state.upstreams
        with contextlib.suppress(ApiProblem):  # an ended session needs no signing out
            await Backend(upstreams, request, token).post("/api/v1/auth/sign-out")
    forget_tokens(request)
    return redirect("/logg-inn?melding=logget-ut")


@router.get("/sprak")
async def choose_language(request: Request, lang: str = "nb", neste: str = "/") -> Response:
    upstreams: Upstreams = request.app.state.upstreams
    if lang in LANGUAGES:
        queue(request, language_cookie(lang, secure=upstreams.settings.cookie_secure))
    target = neste if is_own_path(neste) or neste.startswith("/logg-inn") else "/"
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
