"""The ASGI stack of ``/api`` requests: what the proxy needs and nothing it does not.

Every ``/api`` request goes to the proxy (``gateway.proxy``), so it skips FastAPI's
routing (matching the path against the portal's hundred routes), its dependency solving
and the middleware only the pages need. It keeps, in this order: the request's
OpenTelemetry span (the same name and ``http.route`` as FastAPI's instrumentation gives
it), the 500 problem answer of a crash, the rate limits (per client address, then the
stricter one of the credential operations), the body limit, and the problem answers of
domain and HTTP errors. The edge around both stacks (``gateway.app.GatewayApp``: request
id, metrics, security headers, ``no-store``) is the same for both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation import fastapi as fastapi_instrumentation
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.fastapi.version import __version__ as instrumentation_version
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE
from opentelemetry.trace import Status, StatusCode
from servicekit.body_limit import BodyLimitMiddleware
from starlette.exceptions import HTTPException
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import proxy
from gateway.access import is_credential_operation
from gateway.ratelimit import RateLimitMiddleware, TokenBucketLimiter
from gateway.settings import GatewaySettings

ROOT_ROUTE = "/api"
PATH_ROUTE = "/api/{path:path}"
ALLOW = ", ".join(proxy.PROXY_METHODS)


def is_api(path: str) -> bool:
    return path == ROOT_ROUTE or path.startswith("/api/")


@dataclass(frozen=True, slots=True)
class ApiRoute:
    """What ``scope["route"]`` holds for an ``/api`` request (the request metrics' label)."""

    path: str


_ROUTES = {ROOT_ROUTE: ApiRoute(ROOT_ROUTE), PATH_ROUTE: ApiRoute(PATH_ROUTE)}


def _route(scope: Scope) -> str:
    return ROOT_ROUTE if scope["path"] == ROOT_ROUTE else PATH_ROUTE


def span_details(scope: Scope) -> tuple[str, dict[str, str]]:
    """The server span's name and ``http.route``, as FastAPI's instrumentation names them."""
    route = _route(scope)
    method = scope.get("method", "").strip()
    return f"{method if method in proxy.PROXY_METHODS else 'HTTP'} {route}", {HTTP_ROUTE: route}


class _RecordException:
    """Records an exception on the request's span before the 500 handler answers it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            span = trace.get_current_span()
            if span.is_recording():
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
            raise


async def _forward(scope: Scope, receive: Receive, send: Send) -> None:
    scope["route"] = _ROUTES[_route(scope)]
    if scope["method"] not in proxy.PROXY_METHODS:
        raise HTTPException(405, headers={"Allow": ALLOW})
    await proxy.forward(scope, receive, send)


def api_stack(
    app: FastAPI,
    settings: GatewaySettings,
    *,
    limiter: TokenBucketLimiter | None,
    credentials_limiter: TokenBucketLimiter | None,
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ``/api`` stack of ``app`` (its exception handlers, the limiters given)."""
    # Split as Starlette splits them: the crash handler answers in ServerErrorMiddleware.
    handlers: dict[Any, Any] = dict(app.exception_handlers)
    crash_handler = None
    for key in (500, Exception):
        crash_handler = handlers.pop(key, crash_handler)
    inner: ASGIApp = ExceptionMiddleware(_forward, handlers=handlers)
    inner = BodyLimitMiddleware(inner, limits=settings.body_limits())
    if credentials_limiter is not None:
        inner = RateLimitMiddleware(
            inner, limiter=credentials_limiter, prefix="/api", applies=is_credential_operation
        )
    if limiter is not None:
        inner = RateLimitMiddleware(inner, limiter=limiter, prefix="/api")
    inner = ServerErrorMiddleware(inner, handler=crash_handler)
    traced = OpenTelemetryMiddleware(
        _RecordException(inner),
        default_span_details=span_details,
        tracer=trace.get_tracer(fastapi_instrumentation.__name__, instrumentation_version),
        exclude_spans=["receive", "send"],
    )
    outer = ServerErrorMiddleware(traced)

    async def api(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = app
        await outer(scope, receive, send)

    return api
