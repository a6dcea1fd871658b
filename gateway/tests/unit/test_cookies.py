from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from gateway.access import CookieNames
from gateway.cookies import (
    TokenResponseError,
    body_without_tokens,
    cleared_cookies,
    new_csrf_token,
    token_cookies,
)

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
NAMES = CookieNames.for_(secure=True)


def tokens(**changes: Any) -> dict[str, Any]:
    return {
        "access_token": "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln",
        "token_type": "Bearer",
        "expires_in": 900,
        "refresh_token": "rt_AbC-123",
        "refresh_expires_at": (NOW + timedelta(days=14)).isoformat(),
        "session_id": "5b0c4a5e-0000-4000-8000-000000000001",
        **changes,
    }


def test_three_cookies_with_the_right_attributes() -> None:
    access, refresh, csrf = token_cookies(tokens(), NAMES, csrf="c5rf", secure=True, now=NOW)

    assert access == (
        "__Host-ic_at=eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln; Path=/; Max-Age=900; "
        "HttpOnly; Secure; SameSite=Strict"
    )
    assert refresh == (
        "__Host-ic_rt=rt_AbC-123; Path=/; Max-Age=1209600; HttpOnly; Secure; SameSite=Strict"
    )
    assert csrf == "__Host-ic_csrf=c5rf; Path=/; Max-Age=1209600; Secure; SameSite=Strict"


def test_the_refresh_cookie_lives_until_the_refresh_token_expires() -> None:
    expires = (NOW + timedelta(hours=1, seconds=30)).isoformat().replace("+00:00", "Z")

    _, refresh, _ = token_cookies(
        tokens(refresh_expires_at=expires), NAMES, csrf="c", secure=True, now=NOW
    )

    assert "Max-Age=3630;" in refresh


def test_an_expiry_in_the_past_is_max_age_zero() -> None:
    _, refresh, _ = token_cookies(
        tokens(refresh_expires_at=(NOW - timedelta(days=1)).isoformat()),
        NAMES,
        csrf="c",
        secure=True,
        now=NOW,
    )

    assert "Max-Age=0;" in refresh


def test_without_secure_cookies_there_is_no_prefix_and_no_secure() -> None:
    names = CookieNames.for_(secure=False)

    cookies = token_cookies(tokens(), names, csrf="c", secure=False, now=NOW)

    assert [c.split("=", 1)[0] for c in cookies] == ["ic_at", "ic_rt", "ic_csrf"]
    assert all("Secure" not in c and "SameSite=Strict" in c for c in cookies)


@pytest.mark.parametrize(
    "changes",
    [
        {"access_token": None},
        {"refresh_token": 5},
        {"expires_in": "900"},
        {"expires_in": True},
        {"refresh_expires_at": None},
        {"refresh_expires_at": "tomorrow"},
        {"access_token": "a b"},
        {"refresh_token": "x;Domain=evil.example"},
        {"access_token": "ø"},
    ],
)
def test_a_token_answer_that_cannot_be_cookies_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(TokenResponseError):
        token_cookies(tokens(**changes), NAMES, csrf="c", secure=True, now=NOW)


def test_clearing_forgets_all_three() -> None:
    assert cleared_cookies(NAMES, secure=True) == [
        "__Host-ic_at=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
        "__Host-ic_rt=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
        "__Host-ic_csrf=; Path=/; Max-Age=0; Secure; SameSite=Strict",
    ]


def test_the_body_keeps_no_token() -> None:
    body = body_without_tokens(tokens())

    assert body == {
        "expires_in": 900,
        "refresh_expires_at": tokens()["refresh_expires_at"],
        "session_id": "5b0c4a5e-0000-4000-8000-000000000001",
    }


def test_csrf_tokens_are_random_and_cookie_safe() -> None:
    first, second = new_csrf_token(), new_csrf_token()

    assert first != second
    assert len(first) >= 40
    token_cookies(tokens(), NAMES, csrf=first, secure=True, now=NOW)  # does not raise
