"""Which headers cross the gateway, in each direction (pure functions, no I/O).

Requests: an allow-list of end-to-end headers a service may need. Everything else a
client sends stays at the gateway, so a client can never smuggle in a header that a
service might one day trust because "only the gateway sets it". The gateway sets the
correlation id, the W3C trace context and ``X-Forwarded-*`` itself.

No identity header (``X-User-*``, ``X-Principal*``, ``X-Organisation*``…) is on the list:
who is calling travels only as the access token, which every service verifies itself.
The portal's own cookies (tokens, CSRF) are taken out of ``Cookie`` too: the access token
goes on as ``Authorization`` and no service needs the refresh token.

Responses: everything except hop-by-hop headers and the few the gateway's own server and
middleware write (a second copy would be a duplicate).
"""

from __future__ import annotations

from collections.abc import Iterable

RawHeaders = Iterable[tuple[bytes, bytes]]

HOP_BY_HOP: frozenset[str] = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
"""RFC 9110 §7.6.1 connection-specific fields, plus the legacy ``proxy-connection``."""

FORWARDED_REQUEST_HEADERS: frozenset[str] = frozenset(
    {
        # content
        "content-type",
        "content-length",
        "content-encoding",
        "content-language",
        "content-disposition",
        # negotiation and conditional requests
        "accept",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "if-range",
        "range",
        "prefer",
        # who is calling
        "authorization",
        "cookie",
        "x-csrf-token",
        "origin",
        "referer",
        "user-agent",
        # API conventions
        "idempotency-key",
    }
)

GATEWAY_SET_REQUEST_HEADERS: frozenset[str] = frozenset(
    {
        "x-request-id",
        "traceparent",
        "tracestate",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
    }
)
"""Set by the gateway on every upstream request; a client's own values are never passed on."""

GATEWAY_SET_RESPONSE_HEADERS: frozenset[str] = frozenset({"x-request-id", "server", "date"})
"""Written by the gateway's request-id middleware and its HTTP server."""


def _connection_tokens(headers: list[tuple[str, bytes, bytes]]) -> set[str]:
    """Header names listed in ``Connection``: hop-by-hop for this message only."""
    tokens: set[str] = set()
    for name, _, value in headers:
        if name == "connection":
            tokens.update(t.strip().lower() for t in value.decode("latin-1").split(",") if t)
    return tokens


def _lowered(raw: RawHeaders) -> list[tuple[str, bytes, bytes]]:
    return [(name.decode("latin-1").lower(), name, value) for name, value in raw]


def request_headers_to_forward(raw: RawHeaders) -> list[tuple[str, str]]:
    """The client's headers that go on to the service (allow-list, order kept)."""
    headers = _lowered(raw)
    dropped = HOP_BY_HOP | _connection_tokens(headers)
    return [
        (name, value.decode("latin-1"))
        for name, _, value in headers
        if name in FORWARDED_REQUEST_HEADERS and name not in dropped
    ]


def without_cookies(cookie_header: str, names: Iterable[str]) -> str | None:
    """``Cookie`` without the cookies called ``names`` (``None`` when nothing is left)."""
    dropped = set(names)
    kept = [
        pair.strip()
        for pair in cookie_header.split(";")
        if pair.strip() and pair.split("=", 1)[0].strip() not in dropped
    ]
    return "; ".join(kept) or None


def response_headers_to_return(raw: RawHeaders) -> list[tuple[bytes, bytes]]:
    """The service's response headers that go back to the client (duplicates kept)."""
    headers = _lowered(raw)
    dropped = HOP_BY_HOP | GATEWAY_SET_RESPONSE_HEADERS | _connection_tokens(headers)
    return [(name, value) for lower, name, value in headers if lower not in dropped]


def forwarded_headers(
    *, client_host: str | None, scheme: str, host: str | None
) -> list[tuple[str, str]]:
    """``X-Forwarded-For/Proto/Host`` as this gateway saw the request.

    The client address is the TCP peer (or what a trusted proxy in front said, when the
    server runs with ``--proxy-headers --forwarded-allow-ips``); a client's own
    ``X-Forwarded-For`` is never trusted or passed on.
    """
    result: list[tuple[str, str]] = []
    if client_host:
        result.append(("x-forwarded-for", client_host))
    result.append(("x-forwarded-proto", scheme))
    if host:
        result.append(("x-forwarded-host", host))
    return result
