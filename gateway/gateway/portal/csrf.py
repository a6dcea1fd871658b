"""CSRF protection of the portal's forms: the double-submit token and the Origin check.

Every portal page makes sure the browser holds ``__Host-ic_csrf`` (the same cookie the
API's cookie mode uses; signing in replaces it) and puts its value in each form as the
hidden field ``csrf_token``. A form is accepted only when that field equals the cookie
(another site can neither read the cookie nor forge the field) and its ``Origin``, when
the browser sends one, is the portal's own.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData

from gateway.access import CSRF_HEADER, csrf_failure
from gateway.cookies import csrf_cookie, new_csrf_token
from gateway.guard import expected_origin
from gateway.portal import cookies
from gateway.portal.visitor import cookie_names
from gateway.upstream import Upstreams

FIELD = "csrf_token"
PRE_SIGN_IN_MAX_AGE = 12 * 3600


class CsrfRefused(Exception):
    """The form did not come from the portal's own page (or that page is too old)."""


def ensure_token(request: Request) -> str:
    """The CSRF token the page's forms carry; a new cookie is queued when there is none."""
    existing = getattr(request.state, "csrf", None)
    if isinstance(existing, str):
        return existing
    names = cookie_names(request)
    token = request.cookies.get(names.csrf, "").strip()
    if not token:
        upstreams: Upstreams = request.app.state.upstreams
        token = new_csrf_token()
        cookies.queue(
            request,
            csrf_cookie(
                names,
                token,
                max_age=PRE_SIGN_IN_MAX_AGE,
                secure=upstreams.settings.cookie_secure,
            ),
        )
    request.state.csrf = token
    return token


def check(request: Request, form: FormData) -> None:
    """Raise :class:`CsrfRefused` unless the form is the portal's own."""
    upstreams: Upstreams = request.app.state.upstreams
    sent = form.get(FIELD)
    headers = {key: value for key, value in request.headers.items() if key in ("origin", "host")}
    headers[CSRF_HEADER] = sent if isinstance(sent, str) else ""
    failure = csrf_failure(
        headers,
        request.cookies,
        cookie_names(request),
        expected_origin=expected_origin(request, upstreams.settings),
    )
    if failure is not None:
        raise CsrfRefused(failure)


async def checked_form(request: Request) -> FormData:
    """The posted form, once it has passed :func:`check`."""
    ensure_token(request)
    form = await request.form()
    check(request, form)
    return form
