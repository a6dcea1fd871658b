from __future__ import annotations

import pytest
from gateway.settings import GatewaySettings

pytestmark = pytest.mark.unit


def test_defaults_are_the_local_ports() -> None:
    settings = GatewaySettings()

    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8000)
    assert settings.service_urls() == {
        "auth": "http://127.0.0.1:8001",
        "cases": "http://127.0.0.1:8002",
        "ledger": "http://127.0.0.1:8003",
        "reports": "http://127.0.0.1:8004",
        "credit": "http://127.0.0.1:8005",
        "integrations": "http://127.0.0.1:8009",
        "webhooks": "http://127.0.0.1:8006",
    }
    assert settings.upstream_connect_timeout == 2.0
    assert settings.upstream_read_timeout == 30.0


def test_settings_come_from_gateway_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_CASES_URL", "http://cases.internal:80")
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_BURST", "7")
    monkeypatch.setenv("GATEWAY_ENVIRONMENT", "production")
    monkeypatch.setenv("GATEWAY_PUBLIC_ORIGIN", "https://portal.example.no")
    monkeypatch.setenv("GATEWAY_INTERNAL_SECRET", "s" * 43)
    monkeypatch.setenv("CASES_URL", "http://ignored")

    settings = GatewaySettings()

    assert settings.service_urls()["cases"] == "http://cases.internal:80"
    assert settings.rate_limit_burst == 7
    assert settings.environment == "production"


@pytest.mark.parametrize(
    "url", ["cases:8002", "ftp://cases", "http://cases/api", "http://cases?x=1", "http://"]
)
def test_a_service_url_must_be_an_http_origin(url: str) -> None:
    with pytest.raises(ValueError, match="cases_url"):
        GatewaySettings(cases_url=url)


def test_a_trailing_slash_is_dropped() -> None:
    assert GatewaySettings(cases_url="https://cases.internal/").cases_url == (
        "https://cases.internal"
    )


def test_the_token_settings_default_to_the_local_identity_service() -> None:
    settings = GatewaySettings()

    assert settings.jwks_url == "http://127.0.0.1:8001/api/v1/auth/.well-known/jwks.json"
    assert settings.token_issuer == "https://auth.infocenter.local"
    assert settings.token_audience == "infocenter"
    assert settings.session_cache_seconds == 10.0
    assert settings.session_state_url("abc") == "http://127.0.0.1:8001/internal/v1/sessions/abc"
    assert settings.cookie_secure is True
    assert (settings.auth_rate_limit_per_minute, settings.auth_rate_limit_burst) == (10.0, 20)


def test_the_jwks_url_follows_the_auth_url_unless_set() -> None:
    derived = GatewaySettings(auth_url="https://auth.internal/")
    pinned = GatewaySettings(auth_url="https://auth.internal", jwks_url="https://keys.example/j")

    assert derived.jwks_url == "https://auth.internal/api/v1/auth/.well-known/jwks.json"
    assert pinned.jwks_url == "https://keys.example/j"


PRODUCTION = {
    "environment": "production",
    "public_origin": "https://portal.example.no",
    "internal_secret": "s" * 43,
}


def test_secure_cookies_cannot_be_switched_off_in_production() -> None:
    assert GatewaySettings(environment="development", cookie_secure=False).cookie_secure is False
    with pytest.raises(ValueError, match="cookie_secure"):
        GatewaySettings(**{**PRODUCTION, "cookie_secure": False})


def test_production_refuses_to_start_without_the_public_origin() -> None:
    """Without it the CSRF Origin check would trust the request's own Host header."""
    assert GatewaySettings(**PRODUCTION).public_origin == "https://portal.example.no"
    with pytest.raises(ValueError, match="public_origin"):
        GatewaySettings(**{**PRODUCTION, "public_origin": None})
    assert GatewaySettings(environment="test").public_origin is None


def test_production_refuses_to_start_without_the_internal_secret() -> None:
    with pytest.raises(ValueError, match="internal_secret"):
        GatewaySettings(**{**PRODUCTION, "internal_secret": None})


def test_the_public_origin_is_an_origin() -> None:
    assert GatewaySettings(public_origin="https://Portal.Example.no/").public_origin == (
        "https://portal.example.no"
    )
    with pytest.raises(ValueError, match="public_origin"):
        GatewaySettings(public_origin="https://portal.example.no/app")
