"""Events produced by the ledger service (``services/ledger``).

The ledger refers to cases and creditors by id only; amounts are integer øre.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

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
class PaymentReversed(EventData):
    """A payment booked on a case was taken back (by the bank, or a case handler's
    correction): it no longer counts, from its value date (ADR 0068)."""

    event_type = "ledger.payment.reversed"

    payment_id: uuid.UUID
    case_id: uuid.UUID
    creditor_id: uuid.UUID
    amount_ore: int = Field(gt=0)
    value_date: date = Field(description="the value date of the payment taken back")
    reversed_at: AwareDatetime


RatePercent = Decimal
"""A rate in percent per year as the ledger's rate table holds it (up to four decimals),
a decimal string on the wire (``"12.50"``)."""


class InterestRatePeriod(BaseModel):
    """Forsinkelsesrente over days ``first``..``last`` (inclusive) on one principal at one
    rate: the ledger splits at every rate period (1 January, 1 July), due date and payment."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    first: date
    last: date
    days: int = Field(ge=1, le=366)
    principal_ore: int = Field(ge=0, description="the principal the interest ran on")
    rate_percent: RatePercent = Field(ge=0, le=100, decimal_places=4, description="per year")
    rate_from: date = Field(description="the day the rate is in force from (its rate row)")
    interest_ore: int = Field(
        ge=0,
        description="the period's share of ``accrued_ore``: the exact total is rounded once "
        "and the øre shared by largest remainder, so the periods sum to it",
    )


class CaseInterest(BaseModel):
    """Forsinkelsesrente on a case through ``through`` as the ledger computes it, booked or
    not (as its case economy states it): what accrued, by rate period, and what is owed."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    through: date = Field(
        description="interest is counted to and including this day (the effective date, "
        "the day booked to if later, or the closing day where interest stopped)"
    )
    accrued_ore: int = Field(ge=0, description="from the due dates, rounded once")
    outstanding_ore: int = Field(description="accrued less what was paid of it or written off")
    balance_ore: int = Field(description="principal and costs as booked + ``outstanding_ore``")
    periods: list[InterestRatePeriod] = Field(max_length=2000)


@event_model
class CaseBalanceChanged(EventData):
    """What the debtor owes on a case changed (a claim, fee, interest, payment or reversal),
    or the case took a workflow step (``cause`` ``step``: a letter's day, balance as before).

    Amounts are as booked at ``effective_date``; interest accrues daily beyond what is booked
    (ask the ledger for a case's economy on a date). Since the interest fields were added
    (optional; ``None`` from a producer that did not send them, or when the ledger has no
    confirmed rate for the days), the event also states the forsinkelsesrente in force on
    ``effective_date`` and the interest accrued through it by rate period.
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
    cause: str = Field(description="'registered', 'fee', 'step', 'payment', 'reversal', 'closed' …")
    changed_at: AwareDatetime
    interest_rate_percent: RatePercent | None = Field(
        default=None,
        ge=0,
        le=100,
        decimal_places=4,
        description="forsinkelsesrente per year in force on ``effective_date`` "
        "(forsinkelsesrenteloven § 3)",
    )
    interest_rate_from: date | None = Field(
        default=None, description="the day that rate is in force from (its rate row)"
    )
    interest_rate_to: date | None = Field(
        default=None,
        description="the last day of the rate period (half-year) of ``effective_date``: "
        "the rate applies from ``interest_rate_from`` through this day",
    )
    interest: CaseInterest | None = Field(
        default=None, description="interest through the effective date, by rate period"
    )
    paid_ore: int | None = Field(
        default=None,
        ge=0,
        description="everything paid on the case so far, net of payments taken back "
        "(overpayments included); ``None`` from a producer that did not send it",
    )


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
