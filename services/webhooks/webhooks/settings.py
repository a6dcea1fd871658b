"""Settings of the webhooks service (environment prefix ``WEBHOOKS_``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict
from servicekit.settings import ServiceSettings

from webhooks.domain.schedule import DEFAULT_STEPS_SECONDS


def _csv(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return value


class WebhooksSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOKS_", env_ignore_empty=True, extra="ignore")

    service_name: str = "webhooks"
    database_url: str = (
        "postgresql+asyncpg://infocenter_webhooks@127.0.0.1:5432/infocenter_webhooks"
    )
    http_port: int = 8006
    data_keys: str | None = Field(
        default=None,
        description="AES-GCM keyring ``v1:<base64 32 bytes>,…`` sealing the endpoints' secrets",
    )
    portal_base_url: str = "http://127.0.0.1:8000"

    # Delivery
    timeout_seconds: float = Field(default=15.0, gt=0, le=30.0)
    """How long one attempt may take, connection to the last byte read (10 to 30 s; tests
    may go lower)."""
    retry_steps_seconds: Annotated[tuple[float, ...], NoDecode] = DEFAULT_STEPS_SECONDS
    """Ceilings of the waits between attempts (full jitter below each): ``5,300,1800,…``."""
    max_retry_after_seconds: float = 86400.0
    disable_after_hours: float = Field(default=72.0, gt=0)
    """An endpoint failing without a success this long is disabled (admins e-mailed)."""
    rotation_overlap_hours: float = Field(default=24.0, ge=0, le=24 * 7)
    """How long deliveries carry the previous secret's signature too after a rotation."""
    sender_batch_size: int = Field(default=100, ge=1, le=1000)
    sender_poll_seconds: float = Field(default=0.2, gt=0)
    sender_max_connections: int = Field(default=200, ge=1)
    allowed_networks: Annotated[tuple[str, ...], NoDecode] = ()
    """Networks the SSRF guard lets through anyway (development and tests only)."""

    @field_validator("retry_steps_seconds", "allowed_networks", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _csv(value)

    @model_validator(mode="after")
    def _production_rules(self) -> WebhooksSettings:
        if self.environment == "production" and self.allowed_networks:
            raise ValueError("allowed_networks is for development and tests only")
        if self.environment != "test" and not 10.0 <= self.timeout_seconds <= 30.0:
            raise ValueError("timeout_seconds must be between 10 and 30")
        return self

    @property
    def allow_http(self) -> bool:
        """Plain-HTTP endpoints are accepted in development and tests only."""
        return self.environment != "production"
