"""Request and response bodies of the credit API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class CreditorOut(BaseModel):
    organisation_id: uuid.UUID
    name: str
    active: bool = Field(description="Whether the creditor may buy credit reports")
