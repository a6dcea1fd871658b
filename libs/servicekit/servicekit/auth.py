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
from servicekit.sessions import SessionStateUnavailable
from servicekit.tokens import InvalidToken, Principal, TokenVerifier


async def _verifier(request: Request) -> TokenVerifier:
    # async on purpose, like every dependency that only reads app state: FastAPI runs a
    # plain ``def`` dependency in a worker thread, a thread hop on every request
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise RuntimeError("no token verifier configured on the app")
    return verifier


@raises(401, 503)
async def current_principal(
    verifier: Annotated[TokenVerifier, Depends(_verifier)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """The caller, from a verified ``Authorization: Bearer`` access token whose session
    is still active (503 when the identity service cannot say: fail closed)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Sign in to continue: an access token is required.")
    try:
        return await verifier.verify(token.strip())
    except InvalidToken as exc:
        raise Unauthorized("The access token is invalid or has expired.") from exc
    except SessionStateUnavailable as exc:
        raise ServiceUnavailable("Sign-in cannot be checked right now; try again shortly.") from exc


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
