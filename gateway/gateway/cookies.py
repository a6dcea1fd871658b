"""The web portal's cookies: tokens out of the JSON body and into HttpOnly cookies.

A client that asks for ``X-Token-Delivery: cookie`` when it signs in or refreshes gets

- ``__Host-ic_at``: the access token (HttpOnly; lives as long as the token),
- ``__Host-ic_rt``: the refresh token (HttpOnly; lives until the refresh token expires),
- ``__Host-ic_csrf``: a random CSRF token the portal's script reads and sends back in
  ``X-CSRF-Token`` on every request that changes something (not HttpOnly),

all ``Secure; SameSite=Strict; Path=/`` (``__Host-`` requires Secure, Path=/ and no
Domain, so no other host can set or shadow them). The JSON body keeps what the page may
know (``expires_in``, ``refresh_expires_at``, ``session_id``), never a token. Pure
functions, no I/O.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.access import CookieNames

_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9._~+/=-]{1,4096}$")
BODY_FIELDS_KEPT = ("expires_in", "refresh_expires_at", "session_id")


class TokenResponseError(ValueError):
    """The identity service's token answer is not what the gateway can turn into cookies."""


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def _cookie(name: str, value: str, *, max_age: int, http_only: bool, secure: bool) -> str:
    if value and not _COOKIE_VALUE.match(value):
        raise TokenResponseError(f"{name} value cannot be a cookie")
    parts = [f"{name}={value}", "Path=/", f"Max-Age={max(0, max_age)}"]
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    parts.append("SameSite=Strict")
    return "; ".join(parts)


def _seconds_until(moment: str, now: datetime) -> int:
    try:
        expires = datetime.fromisoformat(moment)
    except ValueError as exc:
        raise TokenResponseError("refresh_expires_at is not a timestamp") from exc
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return int((expires - now).total_seconds())


def token_cookies(
    tokens: Mapping[str, Any],
    names: CookieNames,
    *,
    csrf: str,
    secure: bool,
    now: datetime | None = None,
) -> list[str]:
    """``Set-Cookie`` values for a token answer (``access_token``, ``expires_in``,
    ``refresh_token``, ``refresh_expires_at``); raises :class:`TokenResponseError`."""
    now = now or datetime.now(UTC)
    access, refresh = tokens.get("access_token"), tokens.get("refresh_token")
    expires_in, refresh_expires_at = tokens.get("expires_in"), tokens.get("refresh_expires_at")
    if not isinstance(access, str) or not isinstance(refresh, str):
        raise TokenResponseError("no tokens in the answer")
    if not isinstance(expires_in, int) or isinstance(expires_in, bool):
        raise TokenResponseError("expires_in is not a number of seconds")
    if not isinstance(refresh_expires_at, str):
        raise TokenResponseError("refresh_expires_at is missing")
    refresh_age = _seconds_until(refresh_expires_at, now)
    return [
        _cookie(names.access, access, max_age=expires_in, http_only=True, secure=secure),
        _cookie(names.refresh, refresh, max_age=refresh_age, http_only=True, secure=secure),
        _cookie(names.csrf, csrf, max_age=refresh_age, http_only=False, secure=secure),
    ]


def csrf_cookie(names: CookieNames, csrf: str, *, max_age: int, secure: bool) -> str:
    """``Set-Cookie`` for a CSRF token alone (the portal's forms before signing in)."""
    return _cookie(names.csrf, csrf, max_age=max_age, http_only=False, secure=secure)


def cleared_cookies(names: CookieNames, *, secure: bool) -> list[str]:
    """``Set-Cookie`` values that make the browser forget all three cookies."""
    return [
        _cookie(name, "", max_age=0, http_only=name != names.csrf, secure=secure)
        for name in names.all()
    ]


def body_without_tokens(tokens: Mapping[str, Any]) -> dict[str, Any]:
    """What the JSON body of a cookie-delivered token answer keeps."""
    return {key: tokens[key] for key in BODY_FIELDS_KEPT if key in tokens}
