"""Events produced by the ledger service (``services/ledger``).

The ledger refers to cases and creditors by id only; amounts are integer øre.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData
from contracts.registry import event_model


@event_model
class CaseSettledInFull(EventData):
    """Everything the debtor owed on a case (claims, fees, interest) has been paid."""

    event_type = "ledger.case.settled_in_full"

    case_id: uuid.UUID
    creditor_id: uuid.UUID
    settled_on: date = Field(description="the business date (Europe/Oslo) of the last payment")
    total_paid_ore: int = Field(ge=0)
    settled_at: AwareDatetime


@event_model
class PaymentReceived(EventData):
    """A payment was booked on a case: how much, on what date, and what it covered."""

    event_type = "ledger.payment.received"

    payment_id: uuid.UUID
    case_id: uuid.UUID
    creditor_id: uuid.UUID
    amount_ore: int = Field(gt=0)
    value_date: date = Field(description="the bank's value date (the business date paid)")
    principal_ore: int = Field(ge=0)
    interest_ore: int = Field(ge=0)
    costs_ore: int = Field(ge=0, description="reminder, collection and court fees covered")
    overpaid_ore: int = Field(ge=0, description="beyond what was owed: refundable")
    received_at: AwareDatetime


@event_model
class CaseBalanceChanged(EventData):
    """What the debtor owes on a case changed (a claim, fee, interest, payment or reversal).

    Amounts are as booked at ``effective_date``; interest accrues daily beyond what is booked
    (ask the ledger for a case's economy on a date).
    """

    event_type = "ledger.case.balance_changed"

    case_id: uuid.UUID
    creditor_id: uuid.UUID
    effective_date: date
    principal_ore: int
    interest_ore: int
    costs_ore: int
    balance_ore: int = Field(description="principal + interest + costs outstanding")
    overpaid_ore: int = Field(ge=0)
    cause: str = Field(description="'registered', 'fee', 'payment', 'reversal', 'closed' …")
    changed_at: AwareDatetime


@event_model
class SettlementCompleted(EventData):
    """A settlement (avregning) with a creditor was paid out: the statement can be made.

    The lines (per case and payment) are at ``GET /api/v1/ledger/settlements/{id}/lines``.
    """

    event_type = "ledger.settlement.completed"

    settlement_id: uuid.UUID
    settlement_number: str
    creditor_id: uuid.UUID
    period_end: date
    line_count: int = Field(ge=0)
    collected_ore: int = Field(description="the creditor's share collected (gross)")
    commission_ore: int = Field(ge=0)
    credit_report_charges_ore: int = Field(ge=0)
    agency_fees_ore: int = Field(ge=0, description="the agency's own fees collected")
    payout_ore: int = Field(ge=0, description="paid to the creditor")
    completed_at: AwareDatetime
