"""Request and response bodies of the ledger API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class CreditorAccountOut(BaseModel):
    organisation_id: uuid.UUID
    opened_at: datetime
    active: bool = Field(description="Whether anything new may be booked for the creditor")
