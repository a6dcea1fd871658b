"""The web portal: creditor pages and case-handler tools, server-rendered by the gateway.

Pages call the services' ``/api/v1`` from the server side with the signed-in person's
access token (held by the browser only in an HttpOnly cookie); see ``docs/portal.md``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.types import Scope

from gateway.portal.cookies import QueuedCookies
from gateway.portal.csrf import ensure_token
from gateway.portal.errors import install_error_pages
from gateway.portal.i18n import Translator, language_of
from gateway.portal.pages import (
    account,
    api_clients,
    bank_files,
    batches,
    cases,
    credit,
    credit_admin,
    creditors,
    documents,
    home,
    imports,
    integrations,
    landing,
    ledger,
    rates,
    register,
    reports,
    saved_reports,
    settings,
    signin,
    users,
    webhooks,
    workflow,
)
from gateway.portal.render import templates
from gateway.portal.tokens import RefreshGate

CREDENTIAL_FORMS = frozenset(
    {
        "/logg-inn",
        "/logg-inn/kode",
        "/invitation",
        "/invitation/bekreft",
        "/glemt-passord",
        "/password-reset",
    }
)
"""Portal forms that take a password, a code or a link token: the stricter rate limit."""


def is_credential_form(method: str, path: str) -> bool:
    return method.upper() == "POST" and path.rstrip("/") in CREDENTIAL_FORMS


def too_many_attempts(scope: Scope, retry_after: int) -> Response:
    """The rate limit's answer to a sign-in form: a page that says how long to wait."""
    request = Request(scope)
    t = Translator(language_of(request))
    response = HTMLResponse(
        templates.get_template("portal/error.html").render(
            lang=t.lang,
            t=t,
            visitor=None,
            here=request.url.path,
            title=t("error.title"),
            message=t("problem.rate_limited", seconds=retry_after),
            reference=None,
        ),
        status_code=429,
        headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"},
    )
    return response


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False, dependencies=[Depends(ensure_token)])
    for module in (
        landing,
        signin,
        account,
        home,
        workflow,
        cases,
        register,
        imports,
        batches,
        ledger,
        documents,
        saved_reports,  # before reports: /rapporter/lagrede is its own page
        reports,
        bank_files,
        creditors,
        rates,
        credit_admin,  # before credit: /kreditt/{order_id} would take /kreditt/priser
        credit,
        settings,
        users,
        integrations,
        api_clients,
        webhooks,
    ):
        pages.include_router(module.router)
    return pages


def install(app: FastAPI) -> None:
    """Routes, error pages, the cookie queue and the shared refresh gate."""
    app.state.refresh_gate = RefreshGate()
    app.add_middleware(QueuedCookies)
    install_error_pages(app)
    app.include_router(router())
