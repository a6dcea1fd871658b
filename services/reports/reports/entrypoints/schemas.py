"""Request and response bodies of the reports API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class OrganisationOut(BaseModel):
    organisation_id: uuid.UUID
    name: str
    organisation_number: str = Field(description="Organisasjonsnummer")
    kind: Literal["creditor", "agency"]
    active: bool
    registered_at: datetime


DocumentKindOut = Literal[
    "order_confirmation",
    "settlement_statement",
    "posting_proposal",
    "case_statement",
    "report_run",
    "debtor_letter",
]


class DocumentOut(BaseModel):
    """One issued document's metadata (its content is at ``content_url``)."""

    document_id: uuid.UUID
    organisation_id: uuid.UUID = Field(description="the creditor the document is for")
    kind: DocumentKindOut
    source_id: uuid.UUID = Field(description="the batch, settlement or letter it documents")
    number: str = Field(
        description="the statement number, the batch number, or a letter's (case-IV|BO-date)"
    )
    issued_at: datetime
    period_start: date | None
    period_end: date | None
    media_type: str
    file_name: str
    size: int = Field(description="bytes")
    sha256: str
    replaces_document_id: uuid.UUID | None
    case_id: uuid.UUID | None = Field(
        default=None, description="a letter to the debtor: the case it was sent on"
    )
    content_url: str


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None = Field(
        description="pass as ?cursor= for the next page; none at the end"
    )
