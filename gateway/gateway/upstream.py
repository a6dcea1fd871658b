"""The services behind the gateway and the one HTTP client that talks to them."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request
from servicekit import context
from servicekit.http import REQUEST_ID_HEADER

from gateway.routes import SERVICES
from gateway.settings import GatewaySettings


def make_client(
    settings: GatewaySettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The shared client: pooled connections, timeouts per socket operation, no retries.

    No retries on purpose: a request the service may have started to handle is never sent
    twice by the gateway (clients retry mutating requests with ``Idempotency-Key``).
    """
    timeout = httpx.Timeout(
        connect=settings.upstream_connect_timeout,
        read=settings.upstream_read_timeout,
        write=settings.upstream_write_timeout,
        pool=settings.upstream_pool_timeout,
    )
    limits = httpx.Limits(
        max_connections=settings.upstream_max_connections,
        max_keepalive_connections=settings.upstream_max_keepalive_connections,
        keepalive_expiry=settings.upstream_keepalive_expiry,
    )
    return httpx.AsyncClient(
        transport=transport or httpx.AsyncHTTPTransport(limits=limits, retries=0),
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        trust_env=False,
    )


class Upstreams:
    """Where each service is, and the client to reach it (one per gateway process)."""

    def __init__(self, settings: GatewaySettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        urls = settings.service_urls()
        self.urls: dict[str, str] = {service: urls[service].rstrip("/") for service in SERVICES}

    def url(self, service: str, path: str) -> str:
        return self.urls[service] + path


def correlation_headers() -> dict[str, str]:
    """``X-Request-ID`` of the request being handled, for the gateway's own calls."""
    request_id = context.correlation_id.get()
    return {REQUEST_ID_HEADER: str(request_id)} if request_id else {}


async def get_upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
