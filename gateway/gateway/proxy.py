"""The reverse proxy: ``/api/...`` to the service the route table names, streamed both ways.

Nothing is forwarded before the gateway has checked the caller (``gateway.guard``): a
verified access token whose session still lives, except for the few public operations.
Request bodies go to the service chunk by chunk as the client sends them, and response
bodies come back the same way, so a 1 GB upload or a large export never sits in the
gateway's memory (only the small sign-in and token exchanges of the web portal's cookie
mode are read whole). The gateway never retries a forwarded request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
from fastapi import Request, Response
from opentelemetry import propagate
from servicekit import context
from servicekit.errors import DomainError
from servicekit.http import REQUEST_ID_HEADER
from servicekit.problems import problem
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from gateway import guard, metrics
from gateway.access import (
    COOKIE_DELIVERY_OPERATIONS,
    SIGN_OUT_OPERATIONS,
    TOKEN,
    CookieNames,
    wants_cookie_delivery,
)
from gateway.gatekeeper import Gatekeeper
from gateway.headers import (
    forwarded_headers,
    request_headers_to_forward,
    response_headers_to_return,
    without_cookies,
)
from gateway.ratelimit import Quota, TokenBucketLimiter, take, too_many_requests
from gateway.routes import resolve
from gateway.upstream import Upstreams

log = logging.getLogger(__name__)

PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


SMALL_BODY_BYTES = 64 * 1024
"""A response body of at most this ``Content-Length`` is read whole, then sent in one
message; a larger one, or one of unknown length, is streamed."""


async def _small_body(upstream: httpx.Response) -> bytes | None:
    """The raw body of a small response, read whole (the upstream is closed then)."""
    length = upstream.headers.get("content-length", "")
    if not (length.isdigit() and int(length) <= SMALL_BODY_BYTES):
        return None
    try:
        return b"".join([chunk async for chunk in upstream.aiter_raw()])
    finally:
        await upstream.aclose()


class UpstreamResponse(Response):
    """A service's response (status, headers, raw body bytes) to the client.

    The body is passed on as received (still compressed, if it was), so ``Content-Length``
    and ``Content-Encoding`` stay true. A small body (``whole``) was read already and goes
    in one message; a larger one is streamed, and when the client goes away the upstream
    response is closed at once instead of being read to its end.
    """

    def __init__(
        self,
        upstream: httpx.Response,
        headers: list[tuple[bytes, bytes]],
        whole: bytes | None = None,
    ) -> None:
        self.upstream = upstream
        self.status_code = upstream.status_code
        self.raw_headers = headers
        self.background = None
        self.body = b""
        self.whole = whole

    async def _stream(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        async for chunk in self.upstream.aiter_raw():
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.whole is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            await send({"type": "http.response.body", "body": self.whole})
            return

        async def client_gone() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        streaming = asyncio.ensure_future(self._stream(send))
        watching = asyncio.ensure_future(client_gone())
        try:
            await asyncio.wait({streaming, watching}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (streaming, watching):
                task.cancel()
            for task in (streaming, watching):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.upstream.aclose()
        if not streaming.cancelled() and (exc := streaming.exception()) is not None:
            # Headers are gone already: all that is left is to cut the connection.
            log.warning("upstream response broke off: %s", type(exc).__name__)
            raise exc


def _raw_target(scope: Scope) -> bytes:
    """Path and query exactly as the client sent them."""
    raw_path: bytes = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
    query: bytes = scope.get("query_string", b"")
    return raw_path + b"?" + query if query else raw_path


def _has_body(request: Request) -> bool:
    if "transfer-encoding" in request.headers:
        return True
    length = request.headers.get("content-length", "0").strip()
    return length not in ("", "0")


async def _body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


_BODY_HEADERS = frozenset({"content-length", "content-type", "content-encoding"})


_FIELD_VALUE = re.compile(rb"^[\t\x20-\x7e\x80-\xff]*$")
"""What a header value may hold (RFC 9110 §5.5): no control characters but tab."""


class InvalidHeader(DomainError):
    status, type, title = 400, "invalid-header", "Invalid header"


def _upstream_headers(
    request: Request,
    names: CookieNames,
    *,
    authorization: str | None,
    json_body: bool = False,
) -> list[tuple[bytes, bytes]]:
    """What the service gets: the allow-list without the portal's cookies, the bearer
    token taken from the cookie (when that is how the caller signed in), the gateway's own.

    ``json_body``: the gateway rewrote the body (it sets the content headers itself).
    """
    scope = request.scope
    headers: list[tuple[str, str]] = []
    for name, value in request_headers_to_forward(scope["headers"]):
        if name == "cookie":
            remaining = without_cookies(value, names.all())
            if remaining is not None:
                headers.append((name, remaining))
        elif (name == "authorization" and authorization is not None) or (
            json_body and name in _BODY_HEADERS
        ):
            continue
        else:
            headers.append((name, value))
    if authorization is not None:
        headers.append(("authorization", authorization))
    if json_body:
        headers.append(("content-type", "application/json"))
    client = scope.get("client")
    headers += forwarded_headers(
        client_host=client[0] if client else None,
        scheme=scope.get("scheme", "http"),
        host=request.headers.get("host"),
    )
    request_id = context.correlation_id.get()
    if request_id is not None:
        headers.append((REQUEST_ID_HEADER, str(request_id)))
    # The W3C trace context of the gateway's span; the httpx instrumentation replaces it
    # with its client span's context, and this keeps the trace whole without it.
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    headers += list(carrier.items())
    # As bytes, the way they came (ISO-8859-1): httpx would encode text as ASCII and fail
    # on a client's non-ASCII header value; the service decides what to make of it.
    # Leading and trailing whitespace is not part of a value (RFC 9110 §5.5) and the
    # upstream client refuses to send it.
    encoded = [
        (name.encode("latin-1"), value.encode("latin-1").strip(b" \t")) for name, value in headers
    ]
    for raw_name, raw_value in encoded:
        if not _FIELD_VALUE.match(raw_value):
            field, reason = raw_name.decode("latin-1"), "contains control characters"
            raise InvalidHeader(
                f"The {field} header {reason}.", errors=[{"field": field, "reason": reason}]
            )
    return encoded


def _failure(status: int, service: str, path: str) -> Response:
    if status == 503:
        return problem(
            503,
            "service-unavailable",
            "Service unavailable",
            f"The {service} service cannot be reached right now; try again shortly.",
            instance=path,
            headers={"Retry-After": "5"},
        )
    if status == 504:
        return problem(
            504,
            "gateway-timeout",
            "Gateway timeout",
            f"The {service} service did not answer in time.",
            instance=path,
        )
    return problem(
        502,
        "bad-gateway",
        "Bad gateway",
        f"The {service} service did not send a valid answer.",
        instance=path,
    )


async def forward(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI endpoint of every ``/api`` request (``gateway.api`` routes them here)."""
    request = Request(scope, receive)
    state = request.app.state
    response = await proxy(request, state.upstreams, state.gatekeeper)
    await response(scope, receive, send)


async def proxy(request: Request, upstreams: Upstreams, gatekeeper: Gatekeeper) -> Response:
    """Check the caller, then forward to the service that owns the path (``gateway.routes``)."""
    path: str = request.scope["path"]
    target = _raw_target(request.scope)
    raw_path = target.split(b"?", 1)[0].decode("latin-1")
    route = resolve(path, raw_path)
    if route is None:
        return problem(
            404, "not-found", "Not found", "No API is served at this path.", instance=path
        )
    settings = upstreams.settings
    secure = settings.cookie_secure
    names = CookieNames.for_(secure=secure)
    operation = (request.method, raw_path)
    signing_out = operation in SIGN_OUT_OPERATIONS

    admission = await guard.admit(request, operation, gatekeeper, names)
    if isinstance(admission, Response):
        if signing_out and admission.status_code == 401:  # nothing left to sign out of
            admission.raw_headers.extend(guard.clearing_cookies(names, secure=secure))
        return admission
    quota: Quota | None = None
    limiter: TokenBucketLimiter | None = getattr(request.app.state, "client_limiter", None)
    if admission.client_id is not None and limiter is not None:
        quota = take(limiter, str(admission.client_id))
        if quota.retry_after:
            metrics.ACCESS_REFUSED.labels("client_rate_limited").inc()
            return too_many_requests(path, quota)

    token_request: guard.TokenRequest | None = None
    if operation in COOKIE_DELIVERY_OPERATIONS and wants_cookie_delivery(request.headers):
        try:
            prepared = await guard.token_request_body(request, operation, names, settings)
        except ClientDisconnect:
            return Response(status_code=400)
        if isinstance(prepared, Response):
            return prepared
        token_request = prepared

    service = route.service
    headers = _upstream_headers(
        request,
        names,
        authorization=admission.authorization,
        json_body=token_request is not None and token_request.rewritten,
    )
    content: bytes | AsyncIterator[bytes] | None
    if token_request is not None:
        content = token_request.content
    else:
        content = _body(request) if _has_body(request) else None
    started = time.perf_counter()
    status: int
    try:
        upstream = await upstreams.send(service, request.method, target, headers, content)
        answered = time.perf_counter()
        whole = await _small_body(upstream) if token_request is None else None
    except ClientDisconnect:
        log.info("client went away during upload", extra={"path": path})
        return Response(status_code=400)
    except (httpx.ConnectError, httpx.PoolTimeout) as exc:
        status, outcome = 503, "unavailable"
        reason = type(exc).__name__
    except httpx.TimeoutException as exc:
        status, outcome = 504, "timeout"
        reason = type(exc).__name__
    except httpx.HTTPError as exc:
        status, outcome = 502, "bad_gateway"
        reason = type(exc).__name__
    else:
        metrics.UPSTREAM_LATENCY.labels(service).observe(answered - started)
        metrics.UPSTREAM_REQUESTS.labels(service, request.method, str(upstream.status_code)).inc()
        if token_request is not None and upstream.status_code == 200:
            return await guard.deliver_in_cookies(
                upstream, names, csrf=token_request.csrf, secure=secure, path=path, service=service
            )
        returned = response_headers_to_return(upstream.headers.raw)
        if quota is not None:
            returned += [(k.lower().encode(), v.encode()) for k, v in quota.headers().items()]
        status = upstream.status_code
        if signing_out and 200 <= status < 300 and admission.session_id is not None:
            # Here at once; other gateway replicas within their session cache TTL.
            gatekeeper.sessions.ended(admission.session_id)
        if (signing_out and (200 <= status < 300 or status == 401)) or (
            token_request is not None and operation[1] == TOKEN and status == 401
        ):
            # Signed out, or the refresh token is spent: the portal's cookies are useless.
            returned += guard.clearing_cookies(names, secure=secure)
        return UpstreamResponse(upstream, returned, whole)
    metrics.UPSTREAM_REQUESTS.labels(service, request.method, outcome).inc()
    log.warning(
        "%s upstream failed: %s",
        service,
        reason,
        extra={"method": request.method, "path": path, "status": status},
    )
    return _failure(status, service, path)
