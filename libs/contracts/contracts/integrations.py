"""Events produced by the integrations service (``services/integrations``): creditors' ERPs.

``integrations.invoices.handed_over`` carries what the cases service needs to register
cases from a creditor's ERP: the debtor's name, organisation number and postal address
(ADR 0045: the registration travels as an event, and cases validates it with the rules
every channel shares). Never a national id number (Tripletex holds none). Amounts are
integer øre.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import EventData
from contracts.registry import event_model

ErpSystem = Literal["tripletex"]
MAX_HANDED_OVER = 500
"""Cases per ``invoices.handed_over`` event (a sync hands over more in several)."""


class HandedOverAddress(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    lines: list[str] = Field(max_length=3)
    postal_code: str = Field(max_length=20)
    city: str = Field(max_length=100)
    country: str = Field(max_length=2)


class HandedOverDebtor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Literal["person", "business"]
    name: str = Field(max_length=300)
    organisation_number: str | None = Field(default=None, max_length=40)
    address: HandedOverAddress
    email: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40)


class HandedOverClaim(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    invoice_number: str = Field(max_length=40)
    invoice_date: date
    due_date: date
    principal_ore: int = Field(description="the invoice's outstanding amount in the ERP, øre")
    reminder_fee_ore: int = Field(default=0, ge=0)


class HandedOverCase(BaseModel):
    """One overdue invoice as a case registration (the shape of ``POST /api/v1/cases``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    creditor_reference: str = Field(
        max_length=60, description="``<erp>-<company>-<invoice id>``: unique per creditor"
    )
    debtor: HandedOverDebtor
    claims: list[HandedOverClaim] = Field(min_length=1, max_length=1)


@event_model
class InvoicesHandedOver(EventData):
    """Overdue invoices of a creditor's ERP handed over for collection.

    The cases service registers them as one batch whose id is ``handover_id``; its
    ``cases.case.registered`` and ``cases.batch.registered`` (refused rows by position)
    answer back.
    """

    event_type = "integrations.invoices.handed_over"

    handover_id: uuid.UUID
    creditor_id: uuid.UUID
    erp: ErpSystem
    cases: list[HandedOverCase] = Field(min_length=1, max_length=MAX_HANDED_OVER)


@event_model
class DirectPaymentNoticed(EventData):
    """The ERP shows an invoice of a case paid or credited at the creditor, not to us."""

    event_type = "integrations.direct_payment.noticed"

    creditor_id: uuid.UUID
    case_id: uuid.UUID
    erp: ErpSystem
    invoice_number: str = Field(max_length=40)
    kind: Literal["payment", "credit_note"]
    amount_ore: int = Field(gt=0, description="how much less is outstanding in the ERP, øre")
    noticed_on: date
