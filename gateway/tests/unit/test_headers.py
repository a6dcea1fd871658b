from __future__ import annotations

import pytest
from gateway.headers import (
    FORWARDED_REQUEST_HEADERS,
    forwarded_headers,
    request_headers_to_forward,
    response_headers_to_return,
    without_cookies,
)
from gateway.security import security_headers

pytestmark = pytest.mark.unit


def raw(*pairs: tuple[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode(), v.encode()) for k, v in pairs]


def test_end_to_end_headers_go_to_the_service() -> None:
    forwarded = request_headers_to_forward(
        raw(
            ("Authorization", "Bearer t"),
            ("Cookie", "s=1"),
            ("Content-Type", "application/json"),
            ("Content-Length", "12"),
            ("Accept", "application/json"),
            ("Accept-Language", "nb"),
            ("Idempotency-Key", "k"),
            ("If-None-Match", '"v1"'),
        )
    )

    assert forwarded == [
        ("authorization", "Bearer t"),
        ("cookie", "s=1"),
        ("content-type", "application/json"),
        ("content-length", "12"),
        ("accept", "application/json"),
        ("accept-language", "nb"),
        ("idempotency-key", "k"),
        ("if-none-match", '"v1"'),
    ]


def test_hop_by_hop_gateway_owned_and_unknown_headers_stay_behind() -> None:
    forwarded = request_headers_to_forward(
        raw(
            ("Host", "gateway.example"),
            ("Connection", "keep-alive, Idempotency-Key"),
            ("Keep-Alive", "timeout=5"),
            ("Transfer-Encoding", "chunked"),
            ("TE", "trailers"),
            ("Upgrade", "h2c"),
            ("Proxy-Authorization", "Basic x"),
            ("Idempotency-Key", "named in Connection, so hop-by-hop"),
            ("X-Request-ID", "client-chosen"),
            ("traceparent", "00-" + "1" * 32 + "-" + "2" * 16 + "-01"),
            ("X-Forwarded-For", "203.0.113.1"),
            ("X-Organisation-Id", "smuggled"),
            ("Accept", "*/*"),
        )
    )

    assert forwarded == [("accept", "*/*")]


def test_identity_headers_a_client_sends_never_reach_a_service() -> None:
    forwarded = request_headers_to_forward(
        raw(
            ("X-User-Id", "00000000-0000-0000-0000-000000000001"),
            ("X-User-Roles", "agency_admin"),
            ("x-user", "kari"),
            ("X-Principal", "someone"),
            ("X-Principal-Id", "someone"),
            ("X-Organisation", "org"),
            ("X-Organisation-Id", "org"),
            ("X-Organization-Id", "org"),
            ("X-Tenant-Id", "org"),
            ("X-Roles", "agency_admin"),
            ("Accept", "*/*"),
        )
    )

    assert forwarded == [("accept", "*/*")]
    # Nor can one be added to the allow-list by accident.
    assert not [
        h
        for h in FORWARDED_REQUEST_HEADERS
        if h.startswith(("x-user", "x-principal", "x-organisation", "x-organization", "x-tenant"))
    ]


def test_the_portals_cookies_can_be_taken_out_of_a_cookie_header() -> None:
    names = ("__Host-ic_at", "__Host-ic_rt", "__Host-ic_csrf")

    assert without_cookies("__Host-ic_at=a; theme=dark;__Host-ic_rt=r; x=1", names) == (
        "theme=dark; x=1"
    )
    assert without_cookies("__Host-ic_at=a; __Host-ic_csrf=c", names) is None
    assert without_cookies("ic_at=a", names) == "ic_at=a"
    assert without_cookies(" ; ", names) is None


def test_repeated_request_headers_are_kept_in_order() -> None:
    forwarded = request_headers_to_forward(raw(("Accept", "a"), ("accept", "b")))

    assert forwarded == [("accept", "a"), ("accept", "b")]


def test_response_headers_come_back_except_hop_by_hop_and_gateway_owned() -> None:
    returned = response_headers_to_return(
        raw(
            ("content-type", "application/json"),
            ("content-length", "2"),
            ("set-cookie", "a=1"),
            ("set-cookie", "b=2"),
            ("location", "/api/v1/cases/1"),
            ("connection", "close, x-debug"),
            ("x-debug", "hop"),
            ("transfer-encoding", "chunked"),
            ("x-request-id", "from-service"),
            ("server", "uvicorn"),
            ("date", "today"),
        )
    )

    assert returned == raw(
        ("content-type", "application/json"),
        ("content-length", "2"),
        ("set-cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("location", "/api/v1/cases/1"),
    )


def test_forwarded_headers_describe_the_request_as_the_gateway_saw_it() -> None:
    assert forwarded_headers(client_host="198.51.100.7", scheme="https", host="portal.no") == [
        ("x-forwarded-for", "198.51.100.7"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "portal.no"),
    ]
    assert forwarded_headers(client_host=None, scheme="http", host=None) == [
        ("x-forwarded-proto", "http")
    ]


def test_security_headers_with_and_without_hsts() -> None:
    without = dict(security_headers(hsts_max_age=None))
    with_hsts = dict(security_headers(hsts_max_age=600))

    assert without[b"content-security-policy"].startswith(b"default-src 'self'")
    assert without[b"x-content-type-options"] == b"nosniff"
    assert without[b"referrer-policy"] == b"no-referrer"
    assert without[b"x-frame-options"] == b"DENY"
    assert b"camera=()" in without[b"permissions-policy"]
    assert b"strict-transport-security" not in without
    assert with_hsts[b"strict-transport-security"] == b"max-age=600; includeSubDomains"
