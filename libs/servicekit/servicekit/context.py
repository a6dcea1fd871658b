"""Per-request / per-message correlation, carried in context variables."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

correlation_id: ContextVar[uuid.UUID | None] = ContextVar("correlation_id", default=None)
"""The id that ties everything caused by one request together (the gateway's request id)."""

causation_id: ContextVar[uuid.UUID | None] = ContextVar("causation_id", default=None)
"""The event being handled right now, the cause of the events written while handling it."""
