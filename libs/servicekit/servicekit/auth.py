"""Who is calling: the dependency every service uses to authorise requests.

Interim (ADR 0002): until the identity service issues tokens, agency-administrator
endpoints are guarded by a per-installation admin key sent as ``X-Admin-Key``. The
identity issue replaces this with JWT verification (cached JWKS, algorithm allow-list)
and role checks; routes keep using :func:`require_agency_admin` unchanged.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from servicekit.errors import Forbidden, Unauthorized
from servicekit.tokens import InvalidToken, Principal, TokenVerifier


def _admin_key(request: Request) -> str | None:
    key: str | None = request.app.state.admin_api_key
    return key


async def require_agency_admin(
    expected: Annotated[str | None, Depends(_admin_key)],
    x_admin_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """Refuse the request unless it carries the agency administrator's credentials."""
    if not expected or not x_admin_key or not hmac.compare_digest(x_admin_key, expected):
        raise Unauthorized("Agency administrator credentials are required.")


AgencyAdmin = Depends(require_agency_admin)


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise RuntimeError("no token verifier configured on the app")
    return verifier


async def current_principal(
    verifier: Annotated[TokenVerifier, Depends(_verifier)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """The caller, from a verified ``Authorization: Bearer`` access token."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Sign in to continue: an access token is required.")
    try:
        return await verifier.verify(token.strip())
    except InvalidToken as exc:
        raise Unauthorized("The access token is invalid or has expired.") from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only callers holding one of ``roles`` through."""
    wanted = frozenset(roles)

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.roles & wanted:
            raise Forbidden("Your role does not allow this.")
        return principal

    return check
