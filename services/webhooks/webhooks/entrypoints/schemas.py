"""Request and response bodies of the webhooks API (strict, bounded)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict
from servicekit.types import Text

EventType = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z_]+(\.[a-z_]+)+$")]
Url = Annotated[Text, Field(min_length=1, max_length=2000)]
Description = Annotated[Text, Field(max_length=200)]


class _In(BaseModel):
    """Strict per type (ADR 0022): ISO strings for ids and times, no lax numbers or bools."""

    model_config = ConfigDict(extra="forbid")


class EndpointIn(_In):
    url: Annotated[Url, Field(description="https:// (http only in development and tests)")]
    event_types: list[EventType] = Field(min_length=1, max_length=40)
    description: Description = ""


class EndpointChange(_In):
    url: Url | None = None
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=40)
    description: Description | None = None
    enabled: Annotated[bool, Strict()] | None = Field(
        default=None, description="false disables, true enables again"
    )


class RedeliveryIn(_In):
    message_id: uuid.UUID | None = Field(default=None, description="one event (its webhook-id)")
    since: AwareDatetime | None = Field(default=None, description="or every event from …")
    until: AwareDatetime | None = Field(default=None, description="… up to (exclusive)")


class EndpointOut(BaseModel):
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="manual, gone (410) or failing (for days)")
    failing_since: datetime | None
    previous_secret_until: datetime | None = Field(
        description="until when the previous secret signs too (after a rotation)"
    )
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="whsec_…: shown this once, keep it safe")


class SecretRotated(BaseModel):
    secret: str = Field(description="the new whsec_… secret, shown this once")
    previous_valid_until: datetime


class RedeliveryOut(BaseModel):
    queued: int


class AttemptOut(BaseModel):
    id: int
    message_id: uuid.UUID = Field(description="the webhook-id")
    event_type: str
    attempted_at: datetime
    outcome: str = Field(
        description="delivered, http-error, redirect, timeout, connection-error, address-refused"
    )
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None


class AttemptPage(BaseModel):
    attempts: list[AttemptOut]
    next_before: int | None = Field(description="pass as ``before`` for the next page")


class EventTypeOut(BaseModel):
    type: str
    description: str
