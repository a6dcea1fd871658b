"""Settings of the gateway (environment prefix ``GATEWAY_``)."""

from __future__ import annotations

from typing import Literal

import httpx
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """What the gateway process needs: where the services are and how patient to be."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_ignore_empty=True, extra="ignore")

    service_name: str = "gateway"
    environment: Literal["development", "test", "production"] = "development"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP traces endpoint; no export when unset"
    )
    log_level: str = "INFO"

    # One base URL per service behind the gateway (see ``gateway.routes``).
    auth_url: str = "http://127.0.0.1:8001"
    cases_url: str = "http://127.0.0.1:8002"
    ledger_url: str = "http://127.0.0.1:8003"
    reports_url: str = "http://127.0.0.1:8004"
    credit_url: str = "http://127.0.0.1:8005"

    # Upstream HTTP client. The read and write timeouts apply to each socket operation,
    # not to the whole exchange, so a long upload that keeps moving is never cut off.
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 30.0
    upstream_write_timeout: float = 30.0
    upstream_pool_timeout: float = 5.0
    upstream_max_connections: int = 200
    upstream_max_keepalive_connections: int = 50

    # Aggregations over all services (``/health/ready``, ``/ops``, ``/openapi.json``).
    health_timeout: float = Field(
        default=2.0, description="Seconds to wait for one service's /health/ready"
    )
    openapi_timeout: float = Field(
        default=3.0, description="Seconds to wait for one service's /openapi.json"
    )
    openapi_cache_seconds: float = Field(
        default=15.0, description="How long the merged OpenAPI document is reused"
    )
    ops_refresh_seconds: int = Field(default=10, description="Auto-refresh period of /ops")

    # Per-client-IP token bucket on /api.
    rate_limit_enabled: bool = True
    rate_limit_per_second: float = Field(default=50.0, gt=0)
    rate_limit_burst: int = Field(default=200, ge=1)
    rate_limit_max_clients: int = Field(
        default=100_000, ge=1, description="Buckets kept in memory (least recently used go)"
    )

    hsts_max_age: int = 31_536_000

    @field_validator("auth_url", "cases_url", "ledger_url", "reports_url", "credit_url")
    @classmethod
    def _origin(cls, value: str) -> str:
        """A service's base URL is an http(s) origin: the path is forwarded unchanged."""
        try:
            url = httpx.URL(value)
        except httpx.InvalidURL as exc:
            raise ValueError(f"not a URL: {exc}") from exc
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("must be an http:// or https:// URL with a host")
        if url.path not in ("", "/") or url.query or url.fragment:
            raise ValueError("must be an origin (scheme, host, port) without a path or query")
        return value.rstrip("/")

    def service_urls(self) -> dict[str, str]:
        """Base URL of every service, by the service names the route table uses."""
        return {
            "auth": self.auth_url,
            "cases": self.cases_url,
            "ledger": self.ledger_url,
            "reports": self.reports_url,
            "credit": self.credit_url,
        }
