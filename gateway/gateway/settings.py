"""Settings of the gateway (environment prefix ``GATEWAY_``)."""

from __future__ import annotations

from typing import Literal

import httpx
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from servicekit.body_limit import BodyLimits


def _http_origin(value: str) -> str:
    """``value`` as an http(s) origin (scheme, host, port) without a trailing slash."""
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise ValueError(f"not a URL: {exc}") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("must be an http:// or https:// URL with a host")
    if url.path not in ("", "/") or url.query or url.fragment:
        raise ValueError("must be an origin (scheme, host, port) without a path or query")
    return value.rstrip("/")


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
    integrations_url: str = "http://127.0.0.1:8009"
    webhooks_url: str = "http://127.0.0.1:8006"

    # Upstream HTTP client. The read and write timeouts apply to each socket operation,
    # not to the whole exchange, so a long upload that keeps moving is never cut off.
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 30.0
    upstream_write_timeout: float = 30.0
    upstream_pool_timeout: float = 5.0
    upstream_max_connections: int = 200
    upstream_max_keepalive_connections: int = 50
    upstream_keepalive_expiry: float = Field(
        default=4.0,
        gt=0,
        description="Seconds an idle connection to a service is kept for reuse: less than "
        "the services' own keep-alive timeout (uvicorn's 5 s), so that the gateway never "
        "sends a request on a connection the service is closing at that moment",
    )

    # Request bodies, refused (413) as they stream in past these (``servicekit.body_limit``).
    max_request_body_bytes: int = Field(
        default=1024 * 1024, gt=0, description="Largest body of an ordinary request"
    )
    max_import_bytes: int = Field(
        default=512 * 1024 * 1024, gt=0, description="Largest case file (API and portal)"
    )
    max_batch_bytes: int = Field(
        default=16 * 1024 * 1024, gt=0, description="Largest registration batch (JSON)"
    )
    max_bank_file_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0, description="Largest bank file or payout answer"
    )

    max_attachment_bytes: int = Field(
        default=11 * 1024 * 1024,
        gt=0,
        description="Largest file on a note (the cases service refuses above its own limit, "
        "CASES_ATTACHMENT_MAX_BYTES, with the field code file_too_large)",
    )

    def body_limits(self) -> BodyLimits:
        """The body limit of every operation: the file uploads named, the rest small."""
        return BodyLimits(
            self.max_request_body_bytes,
            {
                ("POST", "/api/v1/cases/imports"): self.max_import_bytes,
                ("POST", "/import"): self.max_import_bytes,
                ("POST", "/api/v1/cases/registrations"): self.max_batch_bytes,
                ("POST", "/api/v1/cases/*/notes/*/attachments"): self.max_attachment_bytes,
                ("POST", "/saker/*/notater"): self.max_attachment_bytes,
                ("POST", "/api/v1/ledger/bank-files"): self.max_bank_file_bytes,
                ("POST", "/api/v1/ledger/payout-answers"): self.max_bank_file_bytes,
                ("POST", "/saksbehandler/bankfiler"): self.max_bank_file_bytes,
                ("POST", "/avregning/*/bankens-svar"): self.max_bank_file_bytes,
            },
        )

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
    prometheus_url: str = Field(
        default="",
        description="Prometheus's HTTP API for the ops dashboards (none: «ingen data»)",
    )
    prometheus_timeout: float = Field(
        default=3.0, gt=0, description="Seconds to wait for one Prometheus query"
    )

    # Per-client-IP token bucket on /api.
    rate_limit_enabled: bool = True
    rate_limit_per_second: float = Field(default=50.0, gt=0)
    rate_limit_burst: int = Field(default=200, ge=1)
    rate_limit_max_clients: int = Field(
        default=100_000, ge=1, description="Buckets kept in memory (least recently used go)"
    )

    # Stricter per-client-IP bucket for the operations that take a password, a second
    # factor or a refresh token (sign-in, second factor, token, password reset), on top
    # of the general one. Per-account throttling and lockout are the auth service's.
    auth_rate_limit_per_minute: float = Field(default=10.0, gt=0)
    auth_rate_limit_burst: int = Field(default=20, ge=1)

    # Per API client (client-credentials tokens), after its token is verified: answered
    # with X-RateLimit-Limit/Remaining/Reset, and 429 + Retry-After when used up.
    client_rate_limit_per_minute: float = Field(default=600.0, gt=0)
    client_rate_limit_burst: int = Field(default=120, ge=1)

    # Access tokens: verified here before anything is forwarded (and again by each service).
    jwks_url: str = Field(
        default="",
        description="The identity service's JWKS; derived from auth_url when unset",
    )
    token_issuer: str = "https://auth.infocenter.local"
    token_audience: str = "infocenter"
    jwks_refresh_seconds: float = Field(
        default=30.0, ge=0, description="At most one JWKS fetch per this many seconds"
    )
    # Session state from the auth service's internal endpoint (fail closed: no answer, 503).
    session_cache_seconds: float = Field(
        default=10.0, ge=0, description="How long an active session's answer is reused"
    )
    revoked_session_cache_seconds: float = Field(
        default=300.0, ge=0, description="How long a revoked session's answer is reused"
    )
    session_cache_max_entries: int = Field(default=100_000, ge=1)
    internal_secret: SecretStr | None = Field(
        default=None,
        description="The gateway's secret for the identity service's internal endpoint "
        "(servicekit.internal); required in production",
    )
    auth_check_timeout: float = Field(
        default=2.0, gt=0, description="Seconds to wait for the JWKS or a session's state"
    )

    # Cookies for the web portal (``X-Token-Delivery: cookie``).
    cookie_secure: bool = Field(
        default=True,
        description="__Host- prefixed, Secure cookies; switch off only for a plain-HTTP host "
        "that browsers do not treat as potentially trustworthy (never in production)",
    )
    public_origin: str | None = Field(
        default=None,
        description="The gateway's origin as browsers see it (https://portal.example.no), "
        "for the Origin check; when unset, the request's scheme and Host",
    )

    hsts_max_age: int = 31_536_000

    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus presents at /metrics; unset: /metrics refuses all",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Proxies in front of the gateway whose X-Forwarded-For/-Proto are "
        "trusted (comma-separated addresses or networks, as uvicorn's FORWARDED_ALLOW_IPS); "
        "empty: none, the connecting address is the client (rate limits, audit)",
    )

    @field_validator(
        "auth_url",
        "cases_url",
        "ledger_url",
        "reports_url",
        "credit_url",
        "integrations_url",
        "webhooks_url",
    )
    @classmethod
    def _origin(cls, value: str) -> str:
        """A service's base URL is an http(s) origin: the path is forwarded unchanged."""
        return _http_origin(value)

    @field_validator("public_origin")
    @classmethod
    def _public_origin(cls, value: str | None) -> str | None:
        return None if value is None else _http_origin(value).lower()

    @model_validator(mode="after")
    def _derived(self) -> GatewaySettings:
        if not self.jwks_url:
            self.jwks_url = self.auth_url + "/api/v1/auth/.well-known/jwks.json"
        if self.environment == "production":
            if not self.cookie_secure:
                raise ValueError("cookie_secure cannot be switched off in production")
            if self.public_origin is None:
                # the CSRF Origin check must not fall back to the request's own Host header
                raise ValueError("public_origin is required in production (CSRF Origin check)")
            if self.internal_secret is None:
                raise ValueError("internal_secret is required in production (session checks)")
        return self

    def session_state_url(self, session_id: str) -> str:
        """The auth service's internal endpoint that says whether a session is active."""
        return f"{self.auth_url}/internal/v1/sessions/{session_id}"

    def service_urls(self) -> dict[str, str]:
        """Base URL of every service, by the service names the route table uses."""
        return {
            "auth": self.auth_url,
            "cases": self.cases_url,
            "ledger": self.ledger_url,
            "reports": self.reports_url,
            "credit": self.credit_url,
            "integrations": self.integrations_url,
            "webhooks": self.webhooks_url,
        }
