"""Service authentication for internal endpoints (``/internal/...``): who is calling.

Internal endpoints answer only other InfoCenter processes, never a browser or an API
client, and never anyone unauthenticated. Each calling process holds a secret of its own
(``<PREFIX>_INTERNAL_SECRET``: the gateway, cases, ledger …); the process that serves an
internal endpoint knows every caller's secret by name and checks the presented one in
constant time. The network policies (deploy/) keep the services out of reach of anything
but the gateway and each other; this is the check that does not rely on them.

The credential travels as ``Authorization: InfoCenter-Service <name>:<secret>``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Request

from servicekit.errors import Unauthorized
from servicekit.openapi import raises

SCHEME = "InfoCenter-Service"
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class ServiceCredential:
    """What one process presents when it calls another's internal endpoint."""

    name: str
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.name or ":" in self.name or any(c.isspace() for c in self.name):
            raise ValueError("a service name is one word without ':'")
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"an internal secret has at least {MIN_SECRET_LENGTH} characters")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"{SCHEME} {self.name}:{self.secret}"}


class InternalCallers:
    """The processes allowed to call this one's internal endpoints, by name and secret."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self._secrets = {
            name: secret.encode() for name, secret in secrets.items() if len(secret) >= 1
        }

    def caller(self, authorization: str | None) -> str | None:
        """The calling service's name, or ``None`` when the credential is absent or wrong."""
        scheme, _, credential = (authorization or "").partition(" ")
        if scheme != SCHEME:
            return None
        name, _, secret = credential.strip().partition(":")
        known = self._secrets.get(name)
        # compare something even for an unknown name, so timing says nothing about names
        expected = known if known is not None else b"\x00" * max(len(secret), 1)
        if not hmac.compare_digest(expected, secret.encode()) or known is None:
            return None
        return name


@raises(401)
async def internal_caller(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    """The authenticated calling service; 401 for anyone else (the default: nobody)."""
    callers: InternalCallers | None = getattr(request.app.state, "internal_callers", None)
    name = callers.caller(authorization) if callers is not None else None
    if name is None:
        raise Unauthorized("Internal endpoint: service authentication required.")
    return name


InternalCaller = Annotated[str, Depends(internal_caller)]
