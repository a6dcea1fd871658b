"""The services behind the gateway, and the HTTP connections to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Annotated

import httpx
from fastapi import Depends, Request
from opentelemetry.instrumentation.httpx import AsyncOpenTelemetryTransport
from servicekit import context
from servicekit.http import REQUEST_ID_HEADER

from gateway.pool import KeepAlivePool
from gateway.routes import SERVICES
from gateway.settings import GatewaySettings


def _timeout(settings: GatewaySettings) -> httpx.Timeout:
    """Per socket operation, not for the whole exchange: a long upload that keeps moving
    is never cut off."""
    return httpx.Timeout(
        connect=settings.upstream_connect_timeout,
        read=settings.upstream_read_timeout,
        write=settings.upstream_write_timeout,
        pool=settings.upstream_pool_timeout,
    )


def _limits(settings: GatewaySettings) -> httpx.Limits:
    return httpx.Limits(
        max_connections=settings.upstream_max_connections,
        max_keepalive_connections=settings.upstream_max_keepalive_connections,
        keepalive_expiry=settings.upstream_keepalive_expiry,
    )


def make_client(
    settings: GatewaySettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The client of the gateway's own calls (tokens, sessions, health, OpenAPI, pages):
    pooled connections, timeouts per socket operation, no retries.

    No retries on purpose: a request the service may have started to handle is never sent
    twice by the gateway (clients retry mutating requests with ``Idempotency-Key``).

    No cookies kept: the client is shared by every user's page, so a ``Set-Cookie`` a
    service answered to one user's call must never ride along on another's.
    """
    limits = _limits(settings)
    return httpx.AsyncClient(
        transport=transport or httpx.AsyncHTTPTransport(limits=limits, retries=0),
        timeout=_timeout(settings),
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        limits=limits,
        follow_redirects=False,
        trust_env=False,
    )


class Upstreams:
    """Where each service is, and how to reach it (one per gateway process).

    ``client`` makes the gateway's own calls. Forwarded requests (``send``) go straight
    to their service's own keep-alive pool (``gateway.pool``), below the same OpenTelemetry
    client span, with the same limits and timeouts, and without the client's layers
    (redirects, authentication, cookie jar) that a proxy has no use for.
    """

    def __init__(
        self,
        settings: GatewaySettings,
        client: httpx.AsyncClient,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        urls = settings.service_urls()
        self.urls: dict[str, str] = {service: urls[service].rstrip("/") for service in SERVICES}
        self.bases = {service: httpx.URL(url) for service, url in self.urls.items()}
        self._own_transport = transport is None
        self.transports: dict[str, httpx.AsyncBaseTransport] = {
            service: AsyncOpenTelemetryTransport(transport or self._pool(settings, service))
            for service in SERVICES
        }
        self.timeout = _timeout(settings).as_dict()
        # What the client would add to a request that lacks them (Accept, Accept-Encoding,
        # Connection, User-Agent): services see the same headers as through the client.
        self.default_headers: list[tuple[bytes, bytes]] = client.headers.raw

    def _pool(self, settings: GatewaySettings, service: str) -> httpx.AsyncBaseTransport:
        if self.bases[service].scheme != "http":  # TLS: httpx's own pool
            return httpx.AsyncHTTPTransport(limits=_limits(settings), retries=0)
        return KeepAlivePool(
            self.bases[service],
            max_connections=settings.upstream_max_connections,
            max_keepalive_connections=settings.upstream_max_keepalive_connections,
            keepalive_expiry=settings.upstream_keepalive_expiry,
        )

    def url(self, service: str, path: str) -> str:
        return self.urls[service] + path

    async def send(
        self,
        service: str,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        content: bytes | AsyncIterator[bytes] | None,
    ) -> httpx.Response:
        """Send a request to ``service`` (path and query ``target``), the body streamed."""
        present = {name.lower() for name, _ in headers}
        defaults = [h for h in self.default_headers if h[0].lower() not in present]
        request = httpx.Request(
            method,
            self.bases[service].copy_with(raw_path=target),
            headers=defaults + headers,
            content=content,
            extensions={"timeout": self.timeout},
        )
        response = await self.transports[service].handle_async_request(request)
        response.request = request
        return response

    async def aclose(self) -> None:
        """Close the services' pools (a transport given by a test is its owner's)."""
        if self._own_transport:
            for transport in self.transports.values():
                await transport.aclose()


def correlation_headers() -> dict[str, str]:
    """``X-Request-ID`` of the request being handled, for the gateway's own calls."""
    request_id = context.correlation_id.get()
    return {REQUEST_ID_HEADER: str(request_id)} if request_id else {}


async def get_upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
