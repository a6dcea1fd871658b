"""Request and response bodies of the webhooks API (strict, bounded)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

EventType = Annotated[str, StringConstraints(min_length=1, max_length=60)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EndpointIn(_In):
    url: str = Field(
        min_length=1, max_length=2000, description="https:// (http only in development)"
    )
    event_types: list[EventType] = Field(min_length=1, max_length=40)
    description: str = Field(default="", max_length=200)


class EndpointChange(_In):
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=40)
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = Field(default=None, description="false disables, true enables again")


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
