"""Who is calling: the dependency every service uses to authorise requests.

Interim (ADR 0002): until the identity service issues tokens, agency-administrator
endpoints are guarded by a per-installation admin key sent as ``X-Admin-Key``. The
identity issue replaces this with JWT verification (cached JWKS, algorithm allow-list)
and role checks; routes keep using :func:`require_agency_admin` unchanged.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from servicekit.errors import Unauthorized


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
