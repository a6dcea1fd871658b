"""Settings base: every service subclasses it with its own environment prefix."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every service process needs. Subclasses set ``env_prefix`` (``CASES_`` …).

    Values shared by all services (broker, telemetry) may also come unprefixed from
    ``INFOCENTER_*`` through the subclasses' own defaults; the local runner sets them
    per service.
    """

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore")

    service_name: str
    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        description="SQLAlchemy URL of the service's own database (postgresql+asyncpg://…)"
    )
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    bus_namespace: str = Field(
        default="",
        description="Prefix for exchange and queue names, so test runs never collide",
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP traces endpoint; no export when unset"
    )
    log_level: str = "INFO"
    heartbeat_file: str | None = Field(
        default=None,
        description="A worker touches this file every few seconds (its liveness probe reads it)",
    )
    token_issuer: str = "https://auth.infocenter.local"
    token_audience: str = "infocenter"
    jwks_url: str = Field(
        default="http://127.0.0.1:8001/api/v1/auth/.well-known/jwks.json",
        description="Where the identity service publishes its token signing keys",
    )
    db_pool_size: int = 10
    max_request_body_bytes: int = Field(
        default=1024 * 1024,
        gt=0,
        description="Largest request body of an ordinary operation (413 beyond it, as it streams)",
    )

    # Revocation: every service asks the identity service whether a token's session still
    # lives (servicekit.sessions), authenticated as itself (servicekit.internal).
    auth_url: str = Field(
        default="http://127.0.0.1:8001",
        description="The identity service's base URL (its internal session endpoint)",
    )
    internal_secret: SecretStr | None = Field(
        default=None,
        description="This service's own secret for other services' internal endpoints",
    )
    internal_callers: Annotated[dict[str, SecretStr], NoDecode] = Field(
        default_factory=dict,
        description="Services allowed at this one's internal endpoints, with their secrets: "
        "``gateway:<secret>,cases:<secret>`` (shell- and Compose-safe, no JSON)",
    )
    session_cache_seconds: float = Field(
        default=5.0, ge=0, description="How long an active session's answer is reused"
    )
    ended_session_cache_seconds: float = Field(
        default=300.0, ge=0, description="How long an ended session's answer is reused"
    )
    auth_check_timeout: float = Field(
        default=2.0, gt=0, description="Seconds to wait for the identity service's answer"
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus presents at /metrics; unset: /metrics refuses all",
    )
    metrics_port: int | None = Field(
        default=None,
        description="Port a process without an API (relay, consumer, worker) serves /metrics "
        "on (servicekit.metrics_server); the API serves it on its HTTP port",
    )

    # Consumer
    consumer_prefetch: int = 256
    consumer_batch_size: int = 128
    retry_delays_seconds: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    statistics_interval_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often the consumer process analyses the tables a bulk change "
        "outgrew (ADR 0072); 0: never (leave it to autovacuum)",
    )

    idempotency_retention_hours: float = Field(
        default=168.0,
        gt=0,
        description="How long an Idempotency-Key's answer is kept; after that the same key "
        "is a new request (servicekit.idempotency_retention)",
    )
    idempotency_purge_interval_seconds: float = Field(
        default=3600.0,
        ge=0,
        description="How often the consumer process deletes expired Idempotency-Keys; 0: never",
    )

    # Relay
    relay_batch_size: int = 500
    relay_poll_seconds: float = 1.0
    relay_linger_seconds: float = Field(
        default=0.0,
        ge=0,
        description="How long the relay waits after a wake-up before it claims, so that "
        "events committed one by one meanwhile go out in one batch (ADR 0067)",
    )
    relay_pack_size: int = Field(
        default=64,
        ge=1,
        le=500,
        description="Events of one routing key and trace context per AMQP message (ADR 0070); "
        "1: one event per message",
    )

    @field_validator("internal_callers", mode="before")
    @classmethod
    def _callers(cls, value: Any) -> Any:
        """``name:secret,name:secret`` as a mapping (a mapping is taken as it is)."""
        if not isinstance(value, str):
            return value
        callers: dict[str, str] = {}
        for item in value.split(","):
            name, sep, secret = item.strip().partition(":")
            if not item.strip():
                continue
            if not sep or not name or not secret:
                raise ValueError("internal_callers: expected name:secret,name:secret")
            callers[name] = secret
        return callers

    @model_validator(mode="after")
    def _production_secrets(self) -> ServiceSettings:
        """Production never runs without what revocation needs (fail at start, not later)."""
        if self.environment == "production" and self.internal_secret is None:
            raise ValueError("internal_secret is required in production (session checks)")
        return self
