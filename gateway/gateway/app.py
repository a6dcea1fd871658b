"""Composition root of the gateway (``uvicorn gateway.app:create_app --factory --port 8000``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from opentelemetry import context as otel_context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from servicekit.body_limit import BodyLimitMiddleware
from servicekit.heap import freeze_startup_heap
from servicekit.http import NoStoreMiddleware, RequestContextMiddleware, bearer_matches
from servicekit.problems import install_problem_handlers
from servicekit.telemetry import remember_route_names, setup_logging, setup_tracing
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gateway import health, openapi, ops, portal, web
from gateway.api import api_stack, is_api
from gateway.gatekeeper import Gatekeeper
from gateway.openapi import OpenApiAggregator
from gateway.ratelimit import RateLimitMiddleware, TokenBucketLimiter
from gateway.security import SecurityHeadersMiddleware
from gateway.settings import GatewaySettings
from gateway.upstream import Upstreams, make_client


class GatewayApp(FastAPI):
    """FastAPI with an edge around everything, Starlette's error handling included.

    The edge sets the request id (and records request metrics), adds the security
    headers and marks every ``/api/`` answer ``Cache-Control: no-store`` unless the
    service set a policy of its own (which passes through), so even a 500 rendered by
    the outermost error middleware carries all three.

    It also starts every HTTP request with an empty OpenTelemetry context. On the plain
    asyncio event loop, uvicorn can hand one request's context variables to the next
    request on the same keep-alive connection (after flow control paused reading, as a
    large upload does: python/cpython#140947, Kludex/uvicorn#2167); the stale span would
    make the next request an internal span of the upload's trace instead of continuing
    the trace its ``traceparent`` names. uvloop (``uvicorn[standard]``) and uvicorn's
    ``--reset-contextvars`` avoid the leak; this keeps the gateway correct without them.
    """

    def __init__(
        self,
        *,
        service: str,
        hsts_max_age: int | None,
        forwarded_allow_ips: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.api: ASGIApp | None = None
        """The ``/api`` stack (``gateway.api``); everything else goes through FastAPI."""
        self._edge: ASGIApp = RequestContextMiddleware(
            SecurityHeadersMiddleware(
                NoStoreMiddleware(self._inner, prefixes=("/api/",)), hsts_max_age=hsts_max_age
            ),
            service=service,
        )
        if forwarded_allow_ips.strip():
            # Only the configured proxies may say who the client is (rate limits, audit);
            # uvicorn itself runs with --no-proxy-headers, so nobody else can.
            # (uvicorn's ASGI types are its own; the middleware is plain ASGI.)
            proxied = ProxyHeadersMiddleware(
                cast(Any, self._edge), trusted_hosts=forwarded_allow_ips
            )
            self._edge = cast(ASGIApp, proxied)

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.api is not None and is_api(scope["path"]):
            await self.api(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        token = otel_context.attach(otel_context.Context())
        try:
            await self._edge(scope, receive, send)
        finally:
            otel_context.detach(token)


async def _metrics(request: Request) -> Response:
    """Prometheus metrics, for the scraper holding ``metrics_token`` only."""
    settings: GatewaySettings = request.app.state.settings
    if not bearer_matches(request, settings.metrics_token):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_app(
    settings: GatewaySettings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The gateway: route table and proxy, health, metrics, merged OpenAPI, pages.

    ``transport`` replaces the network under the shared client and the services' pools (tests).
    """
    settings = settings or GatewaySettings()
    setup_logging(settings.service_name, settings.log_level)
    setup_tracing(settings.service_name, otlp_endpoint=settings.otlp_endpoint, process="api")
    # httpx logs every forwarded request (with its query) at INFO: metrics and traces
    # cover that, and the log stays free of whatever a client puts in a URL.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = make_client(settings, transport)
        HTTPXClientInstrumentor.instrument_client(client)
        upstreams = Upstreams(settings, client, transport)
        app.state.upstreams = upstreams
        app.state.gatekeeper = Gatekeeper(settings, client)
        app.state.openapi = OpenApiAggregator(
            upstreams, ttl=settings.openapi_cache_seconds, timeout=settings.openapi_timeout
        )
        freeze_startup_heap()
        try:
            yield
        finally:
            HTTPXClientInstrumentor.uninstrument_client(client)
            await upstreams.aclose()
            await client.aclose()

    app = GatewayApp(
        service=settings.service_name,
        hsts_max_age=None if settings.environment == "development" else settings.hsts_max_age,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        title="InfoCenter gateway",
        description="The single entry for clients, the portal and the ops pages.",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    # Every body is bounded as it streams in (the file uploads named, the rest 1 MiB), so
    # neither the gateway nor a service behind it reads 100 MB to refuse it.
    app.add_middleware(BodyLimitMiddleware, limits=settings.body_limits())

    # Request ids, metrics and security headers sit at the edge (GatewayApp); the rate
    # limits inside it, so a 429 has all three. On /api (gateway.api) the general bucket
    # is the outer one; the stricter bucket of the credential operations (sign-in, second
    # factor, token, password reset) comes on top of it.
    limiter = credentials_limiter = None
    if settings.rate_limit_enabled:
        credentials_limiter = TokenBucketLimiter(
            rate=settings.auth_rate_limit_per_minute / 60.0,
            burst=settings.auth_rate_limit_burst,
            max_keys=settings.rate_limit_max_clients,
        )
        # The portal's sign-in, invitation and password-reset forms take the same secrets
        # (its server side calls the identity service directly): the same bucket.
        app.add_middleware(
            RateLimitMiddleware,
            limiter=credentials_limiter,
            prefix="",
            applies=portal.is_credential_form,
            refusal=portal.too_many_attempts,
        )
        limiter = TokenBucketLimiter(
            rate=settings.rate_limit_per_second,
            burst=settings.rate_limit_burst,
            max_keys=settings.rate_limit_max_clients,
        )
        # Per API client, once its token is verified (gateway.proxy): X-RateLimit-* headers.
        app.state.client_limiter = TokenBucketLimiter(
            rate=settings.client_rate_limit_per_minute / 60.0,
            burst=settings.client_rate_limit_burst,
            max_keys=settings.rate_limit_max_clients,
        )

    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    app.include_router(health.router)
    app.add_api_route("/metrics", _metrics, include_in_schema=False)
    app.include_router(openapi.router)
    portal.install(app)
    app.include_router(web.router)
    app.include_router(ops.router)
    remember_route_names()
    # No span per ASGI message (one per streamed chunk through the proxy): the request's
    # span and the upstream call's client span stay (bench/README.md, api_reads).
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="health/.*,metrics,static/.*", exclude_spans=["receive", "send"]
    )
    app.api = api_stack(app, settings, limiter=limiter, credentials_limiter=credentials_limiter)
    return app
