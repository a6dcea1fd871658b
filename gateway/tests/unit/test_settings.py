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
    }
    assert settings.upstream_connect_timeout == 2.0
    assert settings.upstream_read_timeout == 30.0


def test_settings_come_from_gateway_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_CASES_URL", "http://cases.internal:80")
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_BURST", "7")
    monkeypatch.setenv("GATEWAY_ENVIRONMENT", "production")
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
