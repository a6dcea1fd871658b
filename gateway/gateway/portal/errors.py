"""Error pages of the portal: every failure a person can meet has its own clear page."""

from __future__ import annotations

import inspect
import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response
from servicekit import context
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.portal.api import ApiProblem
from gateway.portal.csrf import CsrfRefused
from gateway.portal.i18n import Translator, language_of
from gateway.portal.problems import message
from gateway.portal.render import page, redirect
from gateway.portal.visitor import (
    NotAllowed,
    SignInRequired,
    Unavailable,
    current_path,
    forget_tokens,
)

log = logging.getLogger(__name__)


def error_page(request: Request, status: int, title_key: str, text: str) -> Response:
    t = Translator(language_of(request))
    ref = context.correlation_id.get()
    return page(
        request,
        "portal/error.html",
        {"title": t(title_key), "message": text, "reference": str(ref) if ref else None},
        status_code=status,
    )


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return redirect(exc.location())


async def _not_allowed(request: Request, exc: Exception) -> Response:
    t = Translator(language_of(request))
    return error_page(request, 403, "error.forbidden_title", t("error.forbidden"))


async def _unavailable(request: Request, exc: Exception) -> Response:
    t = Translator(language_of(request))
    return error_page(request, 503, "error.unavailable_title", t("error.unavailable"))


async def _csrf(request: Request, exc: Exception) -> Response:
    log.info("portal form refused: %s", exc)
    t = Translator(language_of(request))
    return error_page(request, 403, "error.csrf_title", t("error.csrf"))


async def _problem(request: Request, exc: Exception) -> Response:
    """A service's refusal no page handled itself."""
    assert isinstance(exc, ApiProblem)
    t = Translator(language_of(request))
    if exc.status == 401:
        forget_tokens(request)
        return redirect(SignInRequired(current_path(request), "utlopt").location())
    if exc.status == 404:
        return error_page(request, 404, "error.not_found_title", t("error.not_found"))
    if exc.status == 403:
        return error_page(request, 403, "error.forbidden_title", t("error.forbidden"))
    if exc.status >= 500:
        log.warning("portal page failed: %s", exc)
        return error_page(
            request, 503 if exc.status == 503 else 502, "error.title", message(exc, t)
        )
    return error_page(request, exc.status, "error.title", message(exc, t))


def _wants_page(request: Request) -> bool:
    path = request.url.path
    api = path.startswith(("/api", "/health", "/metrics", "/openapi.json", "/static"))
    return not api and "text/html" in request.headers.get("accept", "")


def install_error_pages(app: FastAPI) -> None:
    problem_handler = app.exception_handlers.get(StarletteHTTPException)

    async def _http(request: Request, exc: Exception) -> Response:
        """A browser asking for a page that is not there (or a method it cannot use) gets
        a page; API clients keep their problem+json."""
        assert isinstance(exc, StarletteHTTPException)
        if _wants_page(request) and exc.status_code in (404, 405):
            t = Translator(language_of(request))
            return error_page(request, 404, "error.not_found_title", t("error.not_found"))
        assert problem_handler is not None
        answer = problem_handler(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(Unavailable, _unavailable)
    app.add_exception_handler(CsrfRefused, _csrf)
    app.add_exception_handler(ApiProblem, _problem)
