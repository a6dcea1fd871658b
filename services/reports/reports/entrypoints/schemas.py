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
    "credit_note",
]


CorrectionReason = Literal[
    "creditor_name",
    "creditor_organisation_number",
    "creditor_address",
    "account_mapping",
    "issued_in_error",
    "settlement_reversed",
]


class CorrectedByOut(BaseModel):
    """On a corrected statement: the correction that credited it."""

    correction_id: uuid.UUID
    reason: CorrectionReason
    credit_note_document_id: uuid.UUID
    replacement_document_id: uuid.UUID | None = Field(
        description="the new statement, for a correction of master data"
    )
    corrected_at: datetime


class CorrectsOut(BaseModel):
    """On a credit note or a replacement statement: the statement it corrects."""

    correction_id: uuid.UUID
    reason: CorrectionReason
    document_id: uuid.UUID
    number: str | None = Field(description="none once the statement is purged")


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
    corrected_by: CorrectedByOut | None = Field(
        default=None, description="a statement credited (kreditert): its correction"
    )
    corrects: CorrectsOut | None = Field(
        default=None, description="a credit note or replacement: the statement it corrects"
    )
    content_url: str


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None = Field(
        description="pass as ?cursor= for the next page; none at the end"
    )


class CorrectionIn(BaseModel):
    reason: Literal[
        "creditor_name",
        "creditor_organisation_number",
        "creditor_address",
        "account_mapping",
        "issued_in_error",
    ] = Field(
        description=(
            "why: master data (creditor_name, creditor_organisation_number, creditor_address, "
            "account_mapping) issues a replacement statement beside the credit note; "
            "issued_in_error a credit note only"
        )
    )


class CorrectionOut(BaseModel):
    """A statement's correction: its credit note and, for master data, its replacement."""

    correction_id: uuid.UUID
    original_document_id: uuid.UUID
    reason: CorrectionReason
    credit_note: DocumentOut
    replacement: DocumentOut | None
    corrected_at: datetime
