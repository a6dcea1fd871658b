"""Who may pass the gateway: the public operations, the caller's credentials, CSRF.

Pure functions, no I/O. Every request under ``/api`` needs a verified access token except
the few public operations listed here (signing in, an API client's token request,
redeeming an invitation, resetting a password, the public keys, the confirmed rates in
force). A token comes from
``Authorization: Bearer`` or, for the web portal, from the ``__Host-ic_at`` cookie; a
request authenticated by cookie that changes something must also prove it comes from the
portal's own pages (CSRF token and Origin).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

AUTH = "/api/v1/auth"
SIGN_IN = f"{AUTH}/sign-in"
SECOND_FACTOR = f"{AUTH}/sign-in/second-factor"
TOKEN = f"{AUTH}/token"
OAUTH_TOKEN = f"{AUTH}/oauth/token"
"""The OAuth 2.0 client-credentials grant of API clients (their secret is the credential)."""
SIGN_OUT = f"{AUTH}/sign-out"
SIGN_OUT_EVERYWHERE = f"{AUTH}/sign-out-everywhere"
PASSWORD_RESET = f"{AUTH}/password-reset"
PASSWORD_RESET_CONFIRM = f"{AUTH}/password-reset/confirm"
JWKS = f"{AUTH}/.well-known/jwks.json"
RATES_IN_FORCE = "/api/v1/ledger/rates/in-force"
"""The law's figures in force today with their sources: public knowledge (no ids)."""

Operation = tuple[str, str]
"""``(method, path)``, the path exactly as sent (no percent-encoding in these)."""

PUBLIC_OPERATIONS: frozenset[Operation] = frozenset(
    {
        ("POST", SIGN_IN),
        ("POST", SECOND_FACTOR),
        ("POST", TOKEN),
        ("POST", OAUTH_TOKEN),
        ("POST", f"{AUTH}/invitations/accept"),
        ("POST", f"{AUTH}/invitations/confirm"),
        ("POST", PASSWORD_RESET),
        ("POST", PASSWORD_RESET_CONFIRM),
        ("GET", JWKS),
        ("GET", RATES_IN_FORCE),
    }
)
"""The only operations the gateway forwards without a verified access token."""

COOKIE_DELIVERY_OPERATIONS: frozenset[Operation] = frozenset(
    {("POST", SECOND_FACTOR), ("POST", TOKEN)}
)
"""Answer with tokens: with ``X-Token-Delivery: cookie`` they go into cookies instead."""

SIGN_OUT_OPERATIONS: frozenset[Operation] = frozenset(
    {("POST", SIGN_OUT), ("POST", SIGN_OUT_EVERYWHERE)}
)
"""Their answers clear the portal's cookies."""

CREDENTIAL_OPERATIONS: frozenset[Operation] = frozenset(
    {
        ("POST", SIGN_IN),
        ("POST", SECOND_FACTOR),
        ("POST", TOKEN),
        ("POST", OAUTH_TOKEN),
        ("POST", PASSWORD_RESET),
        ("POST", PASSWORD_RESET_CONFIRM),
    }
)
"""Take a password, a second factor or a refresh token: the stricter rate limit applies."""

SAFE_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS"})

TOKEN_DELIVERY_HEADER = "x-token-delivery"
CSRF_HEADER = "x-csrf-token"


def is_public(method: str, raw_path: str) -> bool:
    """True for an operation that needs no access token.

    ``raw_path`` is the path as the client sent it: an encoded variant of a public path
    (``/api/v1/auth/sign%2Din``) is not public, so the gateway and the service can never
    disagree about which operation a request is.
    """
    return (method.upper(), raw_path) in PUBLIC_OPERATIONS


def is_credential_operation(method: str, path: str) -> bool:
    return (method.upper(), path.rstrip("/") or "/") in CREDENTIAL_OPERATIONS


def wants_cookie_delivery(headers: Mapping[str, str]) -> bool:
    return headers.get(TOKEN_DELIVERY_HEADER, "").strip().lower() == "cookie"


@dataclass(frozen=True, slots=True)
class CookieNames:
    """The portal's cookie names: ``__Host-`` prefixed unless secure cookies are off."""

    access: str
    refresh: str
    csrf: str

    @classmethod
    def for_(cls, *, secure: bool) -> CookieNames:
        prefix = "__Host-" if secure else ""
        return cls(access=f"{prefix}ic_at", refresh=f"{prefix}ic_rt", csrf=f"{prefix}ic_csrf")

    def all(self) -> tuple[str, str, str]:
        return (self.access, self.refresh, self.csrf)


@dataclass(frozen=True, slots=True)
class Credentials:
    token: str
    source: Literal["header", "cookie"]


def credentials(
    headers: Mapping[str, str], cookies: Mapping[str, str], names: CookieNames
) -> Credentials | None:
    """The access token the request carries, or ``None``.

    An ``Authorization`` header wins over the cookie; one that is not a bearer token
    means no credentials (the cookie is not used behind its back).
    """
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        return Credentials(token, "header")
    token = cookies.get(names.access, "").strip()
    return Credentials(token, "cookie") if token else None


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case, without the scheme's default port."""
    origin = origin.strip().lower().rstrip("/")
    for scheme, port in (("http", ":80"), ("https", ":443")):
        if origin.startswith(scheme + "://") and origin.endswith(port):
            return origin[: -len(port)]
    return origin


def own_origin(*, configured: str | None, scheme: str, host: str | None) -> str | None:
    """The gateway's origin as the browser sees it: configured, or from the request."""
    if configured:
        return normalise_origin(configured)
    if not host:
        return None
    return normalise_origin(f"{scheme}://{host}")


def csrf_failure(
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    names: CookieNames,
    *,
    expected_origin: str | None,
) -> str | None:
    """Why a cookie-authenticated request that changes something is refused, or ``None``.

    It must echo the CSRF cookie in ``X-CSRF-Token`` (double submit: another site can
    neither read the cookie nor set the header), and an ``Origin``, when sent, must be the
    gateway's own.
    """
    cookie = cookies.get(names.csrf, "")
    sent = headers.get(CSRF_HEADER, "")
    if not cookie or not sent:
        return "missing CSRF token"
    if not hmac.compare_digest(cookie.encode(), sent.strip().encode()):
        return "CSRF token does not match"
    return origin_failure(headers, expected_origin=expected_origin)


def origin_failure(headers: Mapping[str, str], *, expected_origin: str | None) -> str | None:
    """``"cross-origin request"`` when an ``Origin`` is sent and is not the gateway's own."""
    origin = headers.get("origin")
    if origin is not None and (
        expected_origin is None or normalise_origin(origin) != expected_origin
    ):
        return "cross-origin request"
    return None
