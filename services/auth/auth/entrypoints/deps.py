"""FastAPI dependencies of the identity API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

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
