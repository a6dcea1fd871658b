"""Events produced by the ledger service (``services/ledger``).

The ledger refers to cases and creditors by id only; amounts are integer øre.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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


class SettledLine(BaseModel):
    """One line of a settlement: what one payment allocation on a case brought in, split.

    ``principal_ore + interest_ore + reminder_fees_ore`` is the creditor's share,
    ``collection_fees_ore`` (inkassovarsel fee and inkassosalær) and ``court_fees_ore``
    (rettsgebyr and outlays) the agency's; ``net_ore`` = the creditor's share less commission.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    line_id: int = Field(description="the ledger's payment allocation the line settles")
    payment_id: uuid.UUID | None = Field(description="None for a reversal's allocation")
    case_id: uuid.UUID
    value_date: date
    principal_ore: int
    interest_ore: int
    reminder_fees_ore: int = Field(description="the creditor's own fees (purregebyr)")
    collection_fees_ore: int = Field(description="inkassovarsel fee and inkassosalær")
    court_fees_ore: int = Field(description="court fees and outlays advanced by the agency")
    commission_ore: int
    net_ore: int = Field(description="to the creditor: its share less commission")


@event_model
class SettlementCompleted(EventData):
    """A settlement (avregning) with a creditor was paid out: the statement can be made.

    Since the lines were added, the event carries them (per case and payment), the payout
    date and accounts, so the reports service can issue the statement (avregningsbilag)
    from the event alone; ``lines`` is None from a producer that did not send them.
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
    payout_date: date | None = Field(default=None, description="the day the bank paid it")
    client_account: str | None = Field(
        default=None, max_length=34, description="the client funds account paid from"
    )
    payout_account: str | None = Field(
        default=None, max_length=34, description="the creditor's account paid to"
    )
    vat_deductible: bool | None = Field(
        default=None, description="whether the creditor deducts input VAT (agreement)"
    )
    lines: list[SettledLine] | None = Field(default=None, description="every line")
