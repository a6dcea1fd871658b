"""Who is calling: the dependencies every service uses to authenticate and authorise.

Each service verifies the access token itself (the gateway has too: a header set by an
intermediary is never trusted alone) and checks roles per route; creditor-facing queries
are scoped by :attr:`Principal.tenant`, never by an organisation named in the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from servicekit.errors import Forbidden, ServiceUnavailable, Unauthorized
from servicekit.openapi import raises
from servicekit.roles import Roles
from servicekit.scopes import route_scopes
from servicekit.sessions import SessionStateUnavailable
from servicekit.tokens import InvalidToken, Principal, TokenVerifier


async def _verifier(request: Request) -> TokenVerifier:
    # async on purpose, like every dependency that only reads app state: FastAPI runs a
    # plain ``def`` dependency in a worker thread, a thread hop on every request
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise RuntimeError("no token verifier configured on the app")
    return verifier


class ClientNotAllowed(Forbidden):
    """An API client on a route no scope opens (agency, portal and account routes)."""

    type, title = "client-not-allowed", "Not available to API clients"


class InsufficientScope(Forbidden):
    """An API client without the scope the route needs (RFC 6750 §3.1)."""

    type, title = "insufficient-scope", "Insufficient scope"

    def __init__(self, needed: frozenset[str]) -> None:
        wanted = " ".join(sorted(needed))
        super().__init__(f"This needs the scope {wanted}.")
        self.extensions = {"required_scope": sorted(needed)}
        self.headers = {
            "WWW-Authenticate": f'Bearer realm="infocenter", error="insufficient_scope", '
            f'scope="{wanted}"'
        }


def check_client_scope(principal: Principal, route: object) -> None:
    """Refuse an API client a route that names no scope, or one it does not hold."""
    if not principal.is_client:
        return
    needed = route_scopes(route)
    if not needed:
        raise ClientNotAllowed("API clients cannot use this operation.")
    if not needed & principal.scopes:
        raise InsufficientScope(needed)


@raises(401, 503)
async def current_principal(
    request: Request,
    verifier: Annotated[TokenVerifier, Depends(_verifier)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """The caller, from a verified ``Authorization: Bearer`` access token whose session
    is still active (503 when the identity service cannot say: fail closed). An API
    client passes only on a route that names a scope it holds (:mod:`servicekit.scopes`)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Sign in to continue: an access token is required.")
    try:
        principal = await verifier.verify(token.strip())
    except InvalidToken as exc:
        raise Unauthorized("The access token is invalid or has expired.") from exc
    except SessionStateUnavailable as exc:
        raise ServiceUnavailable("Sign-in cannot be checked right now; try again shortly.") from exc
    check_client_scope(principal, request.scope.get("route"))
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only callers holding one of ``roles`` through."""
    wanted = frozenset(roles)

    @raises(403)
    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.roles & wanted:
            raise Forbidden("Your role does not allow this.")
        return principal

    return check


require_agency_admin = require_roles(Roles.AGENCY_ADMIN)
"""Agency administrators only (organisations, rates, price lists, settlement runs)."""

AgencyAdmin = Annotated[Principal, Depends(require_agency_admin)]

require_agency_staff = require_roles(*Roles.AGENCY)
"""Agency staff: case handlers and administrators (every creditor's cases and money)."""
