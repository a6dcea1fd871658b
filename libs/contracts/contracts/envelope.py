"""The event envelope every message on the bus carries, and the base of event payloads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

PayloadT = TypeVar("PayloadT", bound="EventData")


class EventData(BaseModel):
    """Base of every event payload: a fact in the past tense, owned by its producer."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    """``<producer>.<entity>.<verb_past>``, without the version."""
    event_version: ClassVar[int] = 1

    @classmethod
    def routing_key(cls) -> str:
        """The AMQP routing key: ``<producer>.<entity>.<verb_past>.v<major>``."""
        return f"{cls.event_type}.v{cls.event_version}"

    @classmethod
    def producer(cls) -> str:
        return cls.event_type.split(".", 1)[0]


class Envelope(BaseModel):
    """What travels on the bus: identity, type, time, causality and the payload."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID
    event_type: str
    event_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    data: dict[str, Any]

    @property
    def routing_key(self) -> str:
        return f"{self.event_type}.v{self.event_version}"

    @classmethod
    def wrap(
        cls,
        payload: EventData,
        *,
        correlation_id: uuid.UUID | None = None,
        causation_id: uuid.UUID | None = None,
        event_id: uuid.UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Self:
        """Put a payload in a new envelope (a fresh ``event_id`` unless one is given)."""
        return cls(
            event_id=event_id or uuid.uuid4(),
            event_type=payload.event_type,
            event_version=payload.event_version,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=payload.producer(),
            correlation_id=correlation_id,
            causation_id=causation_id,
            data=payload.model_dump(mode="json"),
        )

    def payload(self, model: type[PayloadT]) -> PayloadT:
        """Parse ``data`` as ``model`` (unknown fields are ignored)."""
        return model.model_validate(self.data)
