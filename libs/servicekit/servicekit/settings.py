"""Settings base: every service subclasses it with its own environment prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    # Consumer
    consumer_prefetch: int = 256
    consumer_batch_size: int = 128
    retry_delays_seconds: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)

    # Relay
    relay_batch_size: int = 500
    relay_poll_seconds: float = 1.0
