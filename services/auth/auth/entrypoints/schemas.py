"""Request and response bodies of the identity API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from servicekit.types import Text

from auth.domain.model import OrganisationKind


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=200, examples=["Nordlys Energi AS"])]
    organisation_number: Annotated[
        Text,
        Field(
            min_length=9, max_length=11, description="Organisasjonsnummer", examples=["923609016"]
        ),
    ]
    kind: OrganisationKind = OrganisationKind.CREDITOR


class OrganisationOut(BaseModel):
    id: uuid.UUID
    name: str
    organisation_number: str
    kind: OrganisationKind
    active: bool
    created_at: datetime
