"""The gateway's checks on an API request before it is forwarded, and the portal's cookies.

:func:`admit` decides whether a request may go on (public operation, or a verified token
whose session lives; CSRF for cookie-authenticated changes) and which ``Authorization``
the service gets. :func:`token_request_body` and :func:`deliver_in_cookies` handle the
portal's ``X-Token-Delivery: cookie`` on the sign-in and token operations.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from servicekit.problems import problem

from gateway import metrics
from gateway.access import (
    SAFE_METHODS,
    TOKEN,
    CookieNames,
    Operation,
    credentials,
    csrf_failure,
    is_public,
    origin_failure,
    own_origin,
)
from gateway.cookies import (
    TokenResponseError,
    body_without_tokens,
    cleared_cookies,
    new_csrf_token,
    token_cookies,
)
from gateway.gatekeeper import AuthUnavailable, Gatekeeper, Unauthenticated
from gateway.headers import response_headers_to_return
from gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

MAX_TOKEN_REQUEST_BYTES = 16 * 1024
MAX_TOKEN_RESPONSE_BYTES = 64 * 1024
REALM = 'Bearer realm="infocenter"'


@dataclass(frozen=True, slots=True)
class Admission:
    """The request may go on; ``authorization`` replaces the client's when set."""

    authorization: str | None = None
    session_id: uuid.UUID | None = None
    """The verified caller's session (``None`` for a public operation)."""
    client_id: uuid.UUID | None = None
    """The API client calling (client-credentials token), for its rate limit."""


def unauthorized(path: str, *, invalid: bool, detail: str) -> Response:
    challenge = f'{REALM}, error="invalid_token"' if invalid else REALM
    return problem(
        401,
        "unauthorized",
        "Unauthorized",
        detail,
        instance=path,
        headers={"WWW-Authenticate": challenge, "Cache-Control": "no-store"},
    )


def forbidden(path: str, detail: str) -> Response:
    return problem(403, "forbidden", "Forbidden", detail, instance=path)


def auth_unavailable(path: str) -> Response:
    return problem(
        503,
        "service-unavailable",
        "Service unavailable",
        "Sign-in cannot be checked right now; try again shortly.",
        instance=path,
        headers={"Retry-After": "5"},
    )


def expected_origin(request: Request, settings: GatewaySettings) -> str | None:
    return own_origin(
        configured=settings.public_origin,
        scheme=request.scope.get("scheme", "http"),
        host=request.headers.get("host"),
    )


async def admit(
    request: Request,
    operation: Operation,
    gatekeeper: Gatekeeper,
    names: CookieNames,
) -> Admission | Response:
    """Whether the request may be forwarded: an :class:`Admission`, or the refusal."""
    method, raw_path = operation
    path: str = request.scope["path"]
    if is_public(method, raw_path):
        return Admission()
    found = credentials(request.headers, request.cookies, names)
    if found is None:
        metrics.ACCESS_REFUSED.labels("no_token").inc()
        return unauthorized(
            path, invalid=False, detail="Sign in to continue: an access token is required."
        )
    if found.source == "cookie" and method not in SAFE_METHODS:
        failure = csrf_failure(
            request.headers,
            request.cookies,
            names,
            expected_origin=expected_origin(request, gatekeeper.settings),
        )
        if failure is not None:
            metrics.ACCESS_REFUSED.labels("csrf").inc()
            return forbidden(path, f"Refused: {failure}.")
    try:
        principal = await gatekeeper.admit(found.token)
    except Unauthenticated as exc:
        ended = exc.reason == "session ended"
        metrics.ACCESS_REFUSED.labels("session_ended" if ended else "invalid_token").inc()
        detail = (
            "The session has ended; sign in again."
            if ended
            else "The access token is invalid or has expired."
        )
        return unauthorized(path, invalid=True, detail=detail)
    except AuthUnavailable:
        metrics.ACCESS_REFUSED.labels("auth_unavailable").inc()
        return auth_unavailable(path)
    if principal.is_client and found.source == "cookie":
        # A machine client's token is a bearer header's only; in the portal's cookie it
        # is somebody's mistake or an attack on the cookie-authenticated paths.
        metrics.ACCESS_REFUSED.labels("invalid_token").inc()
        return unauthorized(path, invalid=True, detail="An API client's token is not a cookie.")
    bearer = f"Bearer {found.token}" if found.source == "cookie" else None
    return Admission(
        authorization=bearer, session_id=principal.session_id, client_id=principal.client_id
    )


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """What goes to the identity service for a cookie-delivered token operation."""

    content: bytes
    rewritten: bool
    csrf: str
    """The CSRF token the new cookies will carry."""


async def _read_body(request: Request, limit: int) -> bytes | None:
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


async def token_request_body(
    request: Request,
    operation: Operation,
    names: CookieNames,
    settings: GatewaySettings,
) -> TokenRequest | Response:
    """Read a cookie-mode sign-in/token request (small JSON); fill in the refresh token.

    For ``/token`` without a ``refresh_token`` in the body, the ``__Host-ic_rt`` cookie
    supplies it; that makes the request cookie-authenticated, so it needs the CSRF token
    (and a same-origin ``Origin``, when sent) like any other.
    """
    path: str = request.scope["path"]
    failure = origin_failure(request.headers, expected_origin=expected_origin(request, settings))
    if failure is not None:
        metrics.ACCESS_REFUSED.labels("csrf").inc()
        return forbidden(path, f"Refused: {failure}.")
    content = await _read_body(request, MAX_TOKEN_REQUEST_BYTES)
    if content is None:
        return problem(413, "payload-too-large", "Payload too large", instance=path)
    existing_csrf = request.cookies.get(names.csrf, "")
    csrf = new_csrf_token()
    if operation[1] != TOKEN:
        return TokenRequest(content, rewritten=False, csrf=csrf)
    try:
        body: Any = json.loads(content) if content.strip() else {}
    except ValueError:
        return TokenRequest(content, rewritten=False, csrf=csrf)  # the service says 422
    if not isinstance(body, dict) or body.get("refresh_token"):
        return TokenRequest(content, rewritten=False, csrf=csrf)
    refresh = request.cookies.get(names.refresh, "")
    if not refresh:
        metrics.ACCESS_REFUSED.labels("no_token").inc()
        return unauthorized(path, invalid=False, detail="Sign in again: there is no refresh token.")
    failure = csrf_failure(
        request.headers,
        request.cookies,
        names,
        expected_origin=expected_origin(request, settings),
    )
    if failure is not None:
        metrics.ACCESS_REFUSED.labels("csrf").inc()
        return forbidden(path, f"Refused: {failure}.")
    body["refresh_token"] = refresh
    # The portal's script holds the CSRF token it has; refreshing keeps it.
    return TokenRequest(json.dumps(body).encode(), rewritten=True, csrf=existing_csrf)


async def _read_response(upstream: httpx.Response, limit: int) -> bytes:
    body = bytearray()
    async for chunk in upstream.aiter_bytes():
        body.extend(chunk)
        if len(body) > limit:
            raise TokenResponseError("token answer too large")
    return bytes(body)


_REPLACED_RESPONSE_HEADERS = frozenset(
    {b"content-length", b"content-encoding", b"content-type", b"cache-control"}
)


async def deliver_in_cookies(
    upstream: httpx.Response,
    names: CookieNames,
    *,
    csrf: str,
    secure: bool,
    path: str,
    service: str,
) -> Response:
    """A 200 token answer as cookies and a body without tokens (the upstream is closed)."""
    try:
        content = await _read_response(upstream, MAX_TOKEN_RESPONSE_BYTES)
        tokens = json.loads(content)
        if not isinstance(tokens, dict):
            raise TokenResponseError("token answer is not an object")
        cookies = token_cookies(tokens, names, csrf=csrf, secure=secure)
    except (TokenResponseError, ValueError, httpx.HTTPError) as exc:
        log.warning("%s token answer unusable: %s", service, type(exc).__name__)
        return problem(
            502,
            "bad-gateway",
            "Bad gateway",
            f"The {service} service did not send a valid answer.",
            instance=path,
        )
    finally:
        await upstream.aclose()
    response = JSONResponse(
        body_without_tokens(tokens), status_code=200, headers={"Cache-Control": "no-store"}
    )
    response.raw_headers.extend(
        (name, value)
        for name, value in response_headers_to_return(upstream.headers.raw)
        if name.lower() not in _REPLACED_RESPONSE_HEADERS
    )
    response.raw_headers.extend((b"set-cookie", c.encode("latin-1")) for c in cookies)
    return response


def clearing_cookies(names: CookieNames, *, secure: bool) -> list[tuple[bytes, bytes]]:
    return [(b"set-cookie", c.encode("latin-1")) for c in cleared_cookies(names, secure=secure)]
