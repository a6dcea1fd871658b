from __future__ import annotations

import pytest
from gateway.access import (
    PUBLIC_OPERATIONS,
    CookieNames,
    Credentials,
    credentials,
    csrf_failure,
    is_credential_operation,
    is_public,
    normalise_origin,
    own_origin,
    wants_cookie_delivery,
)

pytestmark = pytest.mark.unit

NAMES = CookieNames.for_(secure=True)


def test_the_public_operations_are_exactly_these() -> None:
    assert sorted(PUBLIC_OPERATIONS) == [
        ("GET", "/api/v1/auth/.well-known/jwks.json"),
        ("GET", "/api/v1/ledger/rates/in-force"),
        ("POST", "/api/v1/auth/invitations/accept"),
        ("POST", "/api/v1/auth/invitations/confirm"),
        ("POST", "/api/v1/auth/oauth/token"),
        ("POST", "/api/v1/auth/password-reset"),
        ("POST", "/api/v1/auth/password-reset/confirm"),
        ("POST", "/api/v1/auth/sign-in"),
        ("POST", "/api/v1/auth/sign-in/second-factor"),
        ("POST", "/api/v1/auth/token"),
    ]


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC_OPERATIONS))
def test_a_public_operation_is_public(method: str, path: str) -> None:
    assert is_public(method, path)
    assert is_public(method.lower(), path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/auth/sign-in"),
        ("PUT", "/api/v1/auth/token"),
        ("POST", "/api/v1/auth/.well-known/jwks.json"),
        ("POST", "/api/v1/auth/sign-in/"),
        ("POST", "/api/v1/auth/sign%2Din"),
        ("POST", "/api/v1/auth/SIGN-IN"),
        ("POST", "/api/v1/auth/sign-in/second-factor/x"),
        ("POST", "/api/v1/auth/sign-out"),
        ("GET", "/api/v1/auth/sessions"),
        ("POST", "/api/v1/cases/sign-in"),
        ("GET", "/api/v1/auth/.well-known/jwks.json/../../cases"),
    ],
)
def test_anything_else_is_not(method: str, path: str) -> None:
    assert not is_public(method, path)


def test_the_credential_operations_are_the_ones_that_take_secrets() -> None:
    for path in ("sign-in", "sign-in/second-factor", "token", "password-reset"):
        assert is_credential_operation("POST", f"/api/v1/auth/{path}")
    assert is_credential_operation("POST", "/api/v1/auth/password-reset/confirm")
    assert is_credential_operation("POST", "/api/v1/auth/sign-in/")
    assert not is_credential_operation("GET", "/api/v1/auth/.well-known/jwks.json")
    assert not is_credential_operation("POST", "/api/v1/auth/sign-out")
    assert not is_credential_operation("GET", "/api/v1/auth/sign-in")


def test_cookie_delivery_is_asked_for_by_header() -> None:
    assert wants_cookie_delivery({"x-token-delivery": "cookie"})
    assert wants_cookie_delivery({"x-token-delivery": " Cookie "})
    assert not wants_cookie_delivery({"x-token-delivery": "body"})
    assert not wants_cookie_delivery({})


def test_cookie_names_carry_the_host_prefix_unless_secure_cookies_are_off() -> None:
    assert NAMES.all() == ("__Host-ic_at", "__Host-ic_rt", "__Host-ic_csrf")
    assert CookieNames.for_(secure=False).all() == ("ic_at", "ic_rt", "ic_csrf")


def test_the_bearer_header_wins_over_the_cookie() -> None:
    found = credentials({"authorization": "Bearer abc"}, {NAMES.access: "cookie"}, NAMES)

    assert found == Credentials("abc", "header")


def test_the_scheme_is_case_insensitive() -> None:
    assert credentials({"authorization": "bearer  abc "}, {}, NAMES) == Credentials("abc", "header")


@pytest.mark.parametrize("authorization", ["Basic dTpw", "Bearer", "Bearer   ", "abc", ""])
def test_an_authorization_that_is_no_bearer_token_is_no_credentials(authorization: str) -> None:
    # ... and the cookie is not used behind its back.
    assert credentials({"authorization": authorization}, {NAMES.access: "c"}, NAMES) is None


def test_without_the_header_the_access_cookie_is_the_token() -> None:
    assert credentials({}, {NAMES.access: "tok"}, NAMES) == Credentials("tok", "cookie")
    assert credentials({}, {"ic_at": "tok"}, NAMES) is None, "the unprefixed name is not ours"
    assert credentials({}, {NAMES.access: ""}, NAMES) is None
    assert credentials({}, {}, NAMES) is None


@pytest.mark.parametrize(
    ("origin", "normal"),
    [
        ("https://Portal.Example.no", "https://portal.example.no"),
        ("https://portal.example.no:443", "https://portal.example.no"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("https://portal.example.no:8443", "https://portal.example.no:8443"),
        ("null", "null"),
    ],
)
def test_origins_are_compared_in_normal_form(origin: str, normal: str) -> None:
    assert normalise_origin(origin) == normal


def test_the_own_origin_is_configured_or_from_the_request() -> None:
    assert (
        own_origin(configured="https://portal.example.no", scheme="http", host="10.0.0.1:8000")
        == "https://portal.example.no"
    )
    assert own_origin(configured=None, scheme="http", host="127.0.0.1:8000") == (
        "http://127.0.0.1:8000"
    )
    assert own_origin(configured=None, scheme="http", host=None) is None


def check(headers: dict[str, str], csrf_cookie: str | None = "s3cret") -> str | None:
    cookies = {NAMES.csrf: csrf_cookie} if csrf_cookie is not None else {}
    return csrf_failure(headers, cookies, NAMES, expected_origin="https://portal.example.no")


def test_the_csrf_header_must_echo_the_cookie() -> None:
    assert check({"x-csrf-token": "s3cret"}) is None
    assert check({"x-csrf-token": "s3cret", "origin": "https://portal.example.no"}) is None
    assert check({"x-csrf-token": "s3cret", "origin": "https://PORTAL.example.no:443"}) is None


@pytest.mark.parametrize(
    ("headers", "csrf_cookie", "reason"),
    [
        ({}, "s3cret", "missing CSRF token"),
        ({"x-csrf-token": ""}, "s3cret", "missing CSRF token"),
        ({"x-csrf-token": "s3cret"}, None, "missing CSRF token"),
        ({"x-csrf-token": ""}, "", "missing CSRF token"),
        ({"x-csrf-token": "s3cre"}, "s3cret", "CSRF token does not match"),
        ({"x-csrf-token": "S3CRET"}, "s3cret", "CSRF token does not match"),
        ({"x-csrf-token": "s3cret", "origin": "https://evil.example"}, "s3cret", "cross-origin"),
        ({"x-csrf-token": "s3cret", "origin": "null"}, "s3cret", "cross-origin"),
        ({"x-csrf-token": "s3cret", "origin": "http://portal.example.no"}, "s3cret", "cross"),
    ],
)
def test_a_csrf_check_fails_for_a_reason(
    headers: dict[str, str], csrf_cookie: str | None, reason: str
) -> None:
    failure = check(headers, csrf_cookie)

    assert failure is not None
    assert failure.startswith(reason)


def test_a_non_ascii_csrf_header_is_a_mismatch_not_a_crash() -> None:
    assert check({"x-csrf-token": "s3crét"}) == "CSRF token does not match"


def test_an_origin_cannot_match_when_the_own_origin_is_unknown() -> None:
    failure = csrf_failure(
        {"x-csrf-token": "a", "origin": "http://x"}, {NAMES.csrf: "a"}, NAMES, expected_origin=None
    )

    assert failure == "cross-origin request"
