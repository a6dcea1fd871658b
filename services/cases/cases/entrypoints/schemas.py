"""Request and response bodies of the cases API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class CreditorOut(BaseModel):
    organisation_id: uuid.UUID
    name: str
    organisation_number: str = Field(description="Organisasjonsnummer")
    active: bool = Field(description="Whether new cases can be registered for the creditor")
    registered_at: datetime
