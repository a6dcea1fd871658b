"""Request and response bodies of the integrations API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from servicekit.types import Text


class TripletexKeysIn(BaseModel):
    """The keys a creditor makes in Tripletex for InfoCenter (kept sealed, never shown)."""

    model_config = ConfigDict(extra="forbid")

    consumer_token: Annotated[Text, Field(min_length=1, max_length=200)] = Field(
        description="The application's consumer token (from the agency's Tripletex agreement)",
        json_schema_extra={"writeOnly": True},
    )
    employee_token: Annotated[Text, Field(min_length=1, max_length=200)] = Field(
        description="The employee token the creditor created in Tripletex for InfoCenter",
        json_schema_extra={"writeOnly": True},
    )


class InvoiceCountsOut(BaseModel):
    handed_over: int = Field(description="handed over, the cases service has not answered yet")
    registered: int = Field(description="registered as cases")
    refused: int = Field(description="refused by the cases service's rules (see the invoices)")


class ConnectionOut(BaseModel):
    connection_id: uuid.UUID
    erp: Literal["tripletex"]
    company_id: str = Field(description="the company in the ERP")
    status: Literal["active", "paused"]
    last_sync_at: datetime | None
    last_sync_outcome: str | None = Field(
        description="ok, or a stable code: erp_unauthorised, erp_rate_limited, "
        "erp_unavailable, erp_rejected, erp_bad_answer"
    )
    next_sync_at: datetime
    created_at: datetime
    invoices: InvoiceCountsOut
    conflicts: int = Field(description="cases whose invoice changed in the ERP after handover")


class InvoiceOut(BaseModel):
    invoice_id: int = Field(description="the invoice's id in the ERP")
    invoice_number: str
    state: Literal["handed_over", "registered", "refused"]
    case_number: str | None
    error_fields: list[str] = Field(
        description="refused: the fields in error (cases' field paths, or erp.customer_missing "
        "and erp.invoice_unreadable)"
    )
    conflicts: list[str] = Field(description="due_date_changed, amount_increased")
    outstanding_ore: int
    due_date: date
    updated_at: datetime


class InvoicesOut(BaseModel):
    items: list[InvoiceOut]
    next_cursor: str | None


class SyncRunOut(BaseModel):
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    invoices_read: int
    handed_over: int
    changed: int
    payments_noticed: int
