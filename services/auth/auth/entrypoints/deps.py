"""FastAPI dependencies of the identity API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from servicekit.tokens import Principal

from auth.bootstrap import AuthService
from auth.service_layer.context import ClientInfo


async def get_service(request: Request) -> AuthService:
    service: AuthService = request.app.state.service
    return service


async def client_info(request: Request) -> ClientInfo:
    """The caller's address (the gateway appends it to X-Forwarded-For) and user agent."""
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    ip = hops[-1] if hops else (request.client.host if request.client else None)
    return ClientInfo(ip=ip, user_agent=request.headers.get("user-agent"))


ServiceDep = Annotated[AuthService, Depends(get_service)]
ClientDep = Annotated[ClientInfo, Depends(client_info)]


def key_scope(principal: Principal) -> str:
    """Whose ``Idempotency-Key`` a request's is: the signed-in user in their organisation."""
    return f"{principal.organisation_id}:{principal.user_id}"


IDEMPOTENT = (
    " Send an `Idempotency-Key` to make a retry safe: the same key with the same request "
    "replays the first answer; with another request it is 422 `idempotency-key-reused`."
)
