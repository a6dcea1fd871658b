"""HTTP middleware: request ids (the correlation id), Prometheus request metrics, and
``Cache-Control: no-store`` on API answers."""

from __future__ import annotations

import hmac
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from opentelemetry import context as otel_context
from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit import context, metrics

REQUEST_ID_HEADER = "x-request-id"
_UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")


def parse_request_id(value: str | None) -> uuid.UUID:
    """A client's request id when it is a UUID, a new one otherwise."""
    if value and _UUID.match(value):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    return uuid.uuid4()


def bearer_matches(request: Request, token: SecretStr | None) -> bool:
    """Whether the request presents ``Authorization: Bearer <token>`` (never when unset)."""
    if token is None or not token.get_secret_value():
        return False
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), token.get_secret_value().encode()
    )


class RequestContextMiddleware:
    """Sets the correlation id from ``X-Request-ID``, echoes it, and records metrics.

    It also keeps the connection of a request that crashed after its answer was sent.
    Starlette answers an unhandled exception with the app's 500 handler (which logs it)
    and then raises it again for the server; uvicorn, seeing an exception after a
    response, closes the connection. The gateway has the answer by then and may already
    have sent the next request on that keep-alive connection: it is lost, and the client
    gets a 502 for a healthy request. Once the answer is complete, the exception ends
    here (logged once, by the handler); an answer cut off half-way still ends the
    connection, as it must.
    """

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Header bytes are ISO-8859-1 (RFC 9110 §5.5): never fails, unlike UTF-8.
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = parse_request_id(headers.get(REQUEST_ID_HEADER))
        token = context.correlation_id.set(request_id)
        started = time.perf_counter()
        status = 500
        answered = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((REQUEST_ID_HEADER.encode(), str(request_id).encode()))
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not answered:
                raise
            # Answered, and logged by the 500 handler: the connection stays usable.
        finally:
            context.correlation_id.reset(token)
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            method = scope.get("method", "GET")
            metrics.HTTP_REQUESTS.labels(self.service, method, path, str(status)).inc()
            metrics.HTTP_LATENCY.labels(self.service, method, path).observe(
                time.perf_counter() - started
            )


NO_STORE = (b"cache-control", b"no-store")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer under ``prefixes`` without a policy.

    API answers carry personal and financial data (a debtor's name, a balance, a
    settlement): no browser, proxy or shared cache may keep them (ASVS 5.0 14.3.2). An
    answer that sets its own ``Cache-Control`` (a public key set, a static file, an event
    stream) keeps it; errors, including a crash answered by Starlette, get ``no-store``.
    """

    def __init__(self, app: ASGIApp, *, prefixes: tuple[str, ...] = ("/",)) -> None:
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == NO_STORE[0] for name, _ in headers):
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_no_store)


class EdgeApp(FastAPI):
    """A FastAPI app with an outermost edge layer around everything FastAPI adds.

    The edge sets the request id, records metrics and marks answers ``no-store``
    (:class:`NoStoreMiddleware`), so even a crash answered by Starlette's error
    middleware carries ``X-Request-ID`` and ``Cache-Control``; and it starts every HTTP
    request with an empty OpenTelemetry context. On the plain asyncio event loop uvicorn can hand
    one request's context variables to the next request on the same keep-alive
    connection (python/cpython#140947, Kludex/uvicorn#2167); the stale span would make the
    next request part of the wrong trace. ``wrap`` adds further edge layers (the
    gateway's security headers).
    """

    def __init__(
        self, *, service: str, wrap: Callable[[ASGIApp], ASGIApp] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        inner: ASGIApp = self._inner
        self._edge: ASGIApp = RequestContextMiddleware(
            NoStoreMiddleware(wrap(inner) if wrap else inner), service=service
        )

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
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
