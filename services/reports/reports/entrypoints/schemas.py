"""Request and response bodies of the reports API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class OrganisationOut(BaseModel):
    organisation_id: uuid.UUID
    name: str
    organisation_number: str = Field(description="Organisasjonsnummer")
    kind: Literal["creditor", "agency"]
    active: bool
    registered_at: datetime
