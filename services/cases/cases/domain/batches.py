"""Registration batches (one per submission) and their order confirmation (ordrebekreftelse)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cases.domain.registration import Channel

BatchStatus = Literal["open", "registered"]


@dataclass(frozen=True)
class Batch:
    """A submission's cases: open while they are being registered, then registered."""

    batch_id: uuid.UUID
    batch_number: str
    creditor_id: uuid.UUID
    channel: Channel
    created_by: uuid.UUID | None
    created_at: datetime
    status: BatchStatus = "open"
    case_count: int = 0
    claim_count: int = 0
    principal_total_ore: int = 0
    rejected_count: int = 0
    registered_at: datetime | None = None
