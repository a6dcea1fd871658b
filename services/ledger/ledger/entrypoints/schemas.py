"""Request and response bodies of the ledger API. Money is integer øre."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from servicekit.types import Ore as OreIn
from servicekit.types import StrictDate, Text

from ledger.domain.components import Component

ComponentName = Literal[
    "principal", "interest", "reminder_fees", "collection_fees", "court_fees", "costs"
]
Ore = Annotated[int, Field(description="an amount in øre (1/100 NOK)")]
"""An amount the ledger answers with (requests take ``servicekit.types.Ore``: strict, bounded)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreditorAccountOut(BaseModel):
    organisation_id: uuid.UUID
    opened_at: datetime
    active: bool = Field(description="Whether anything new may be booked for the creditor")


# -- economy -----------------------------------------------------------------------------------


class ComponentOut(BaseModel):
    component: Component
    charged_ore: Ore
    paid_ore: Ore
    written_off_ore: Ore
    outstanding_ore: Ore


class InterestPeriodOut(BaseModel):
    first: date
    last: date
    days: int
    principal_ore: Ore
    rate_percent: Decimal
    rate_id: int = Field(description="the rate version used")
    year_days: int = Field(description="365, or 366 in a leap year")
    exact_ore: str = Field(description="the period's interest before rounding (4 decimals)")
    carried_forward: bool = Field(
        description="no confirmed rate for this half-year yet: the previous one is used"
    )


class InterestOut(BaseModel):
    accrued_ore: Ore = Field(description="exact interest to the date, rounded once")
    exact_ore: str
    periods: list[InterestPeriodOut]
    provisional: bool = Field(
        default=False,
        description="the figure rests on a rate not confirmed for a half-year it covers "
        "(a period carried forward): it may change when the rate is confirmed "
        "(issue 13 point 5)",
    )


class FeeOut(BaseModel):
    kind: str
    component: str
    amount_ore: Ore
    effective_date: date
    step: str
    rate_ids: list[int] = Field(description="the rate versions the fee was computed from")
    basis: dict[str, Any]
    provisional: bool = Field(
        default=False,
        description="the fee rests on a figure carried forward past a row not confirmed yet "
        "(e.g. a new inkassosats): it may change when the row is confirmed and the case is "
        "recomputed (`rate-recompute`, issue 13 point 5)",
    )


class CasePaymentOut(BaseModel):
    payment_id: uuid.UUID | None
    kind: Literal["payment", "reversal", "adjustment", "undone", "rebooked"] = Field(
        description="'payment': its first split; 'reversal': taken back; 'undone' and "
        "'rebooked': a split taken back and booked again when a payment with an earlier "
        "value date arrived or was taken back (re-allocation in value-date order); "
        "'adjustment': interest paid beyond what was owed, and that credit's use"
    )
    value_date: date
    amount_ore: Ore
    covered: dict[str, int]
    overpaid_ore: Ore
    allocation_order: list[str]


class EconomyOut(BaseModel):
    case_id: uuid.UUID
    creditor_id: uuid.UUID
    case_number: str
    kid: str
    as_of: date
    basis: Literal["as_known_now", "as_booked_then"] = Field(
        description="'as_known_now': everything booked so far on or before the date, a "
        "late payment re-allocated included; 'as_booked_then': only what the books "
        "held at known_at (the end of the date, Europe/Oslo, unless given)"
    )
    known_at: datetime | None = Field(
        description="the moment the books are read as of ('as_booked_then'); null: now"
    )
    currency: str
    components: list[ComponentOut]
    interest: InterestOut
    fees: list[FeeOut]
    payments: list[CasePaymentOut]
    paid_ore: Ore
    overpaid_ore: Ore = Field(description="paid beyond what was owed: refundable")
    balance_ore: Ore = Field(description="what the debtor owes on the date")
    provisional: bool = Field(
        default=False,
        description="the balance includes a figure that rests on a rate not yet confirmed "
        "(the interest's or a fee's `provisional`): it may change when the rate is confirmed",
    )
    settled_on: date | None
    closed_on: date | None
    close_reason: str | None


# -- payments ----------------------------------------------------------------------------------


class PaymentIn(Strict):
    """A payment registered by hand (e.g. seen on the bank statement)."""

    bank_reference: Annotated[
        Text,
        Field(
            min_length=1,
            max_length=100,
            description="the bank's reference: registering it again "
            "with the same reference changes nothing",
        ),
    ]
    amount_ore: Annotated[OreIn, Field(gt=0, le=10**13)]
    value_date: StrictDate
    kid: Annotated[Text | None, Field(pattern=r"^\d{2,24}[\d-]$")] = None
    case_id: uuid.UUID | None = Field(default=None, description="instead of a KID")
    designation: list[ComponentName] = Field(
        default_factory=list,
        description="what the debtor said the payment is for, covered first",
        max_length=6,
    )


class PaymentOut(BaseModel):
    payment_id: uuid.UUID
    source: str
    kid: str | None
    amount_ore: Ore
    currency: str
    value_date: date
    status: str
    case_id: uuid.UUID | None
    received_at: datetime
    updated_at: datetime = Field(
        description="When the payment last changed: received, matched, moved or reversed"
    )


class AllocationOut(BaseModel):
    kind: str = Field(
        description="'payment', 'rebooked' (split again in value-date order), 'undone' "
        "(a split a re-allocation took back), 'reversal', 'adjustment'"
    )
    case_id: uuid.UUID
    value_date: date
    principal_ore: Ore
    interest_ore: Ore
    reminder_fees_ore: Ore
    collection_fees_ore: Ore
    court_fees_ore: Ore
    overpaid_ore: Ore
    allocation_order: list[str]
    entry_id: uuid.UUID


class PaymentDetailOut(PaymentOut):
    allocations: list[AllocationOut]


class ImportOut(BaseModel):
    """What a bank file (or a payment by hand) did."""

    received: int
    duplicates: int = Field(description="transactions imported before: nothing changed")
    allocated: int
    unmatched: int = Field(description="queued for a case handler")
    reversed: int
    total_ore: Ore
    settled_case_ids: list[uuid.UUID]
    payment_ids: list[uuid.UUID]
    bank_file_id: uuid.UUID | None = None
    bank_reference: str | None = None
    payouts: dict[str, str] = Field(
        default_factory=dict, description="payout bookings (camt.054): settlement → outcome"
    )


class BankFileOut(BaseModel):
    """A bank file of incoming payments imported, and what it did."""

    bank_file_id: uuid.UUID
    format: Literal["ocr", "camt054"]
    bank_reference: str | None
    received_at: datetime
    uploaded_by: uuid.UUID | None
    summary: ImportOut


class BankFilePaymentOut(PaymentOut):
    unmatched_reason: str | None = Field(
        description="why no case took it (unknown_kid, ambiguous_kid, currency, reversal)"
    )
    case_number: str | None = Field(description="the readable number of the case it went to")


class BankFileDetailOut(BankFileOut):
    payments: list[BankFilePaymentOut] = Field(
        description="the file's payments in the order they were booked (at most 1,000)"
    )


class ReversalIn(Strict):
    reason: Annotated[Text, Field(min_length=3, max_length=200)]


class ReversalOut(BaseModel):
    payment_id: uuid.UUID
    reversal_entry_id: uuid.UUID


class UnmatchedOut(PaymentOut):
    reason: str
    candidate_case_ids: list[uuid.UUID]
    queue_status: str
    resolution: str | None
    resolved_case_id: uuid.UUID | None
    resolved_at: datetime | None
    payer_name: str | None = Field(
        default=None, description="the payer's name from the bank file (camt.054 Dbtr/Nm)"
    )
    payer_account: str | None = Field(
        default=None, description="the account paid from (OCR debit account, camt.054 DbtrAcct)"
    )
    message: str | None = Field(
        default=None,
        description="the payer's free-text message (camt.054 RmtInf/Ustrd); these three are "
        "kept only while the payment waits in the queue",
    )


class ResolutionIn(Strict):
    action: Literal["allocate", "refund", "reverse"]
    case_id: uuid.UUID | None = Field(default=None, description="for 'allocate'")
    reverses_payment_id: uuid.UUID | None = Field(
        default=None, description="for 'reverse': the payment the bank took back"
    )
    designation: list[ComponentName] = Field(default_factory=list, max_length=6)


# -- settlements -------------------------------------------------------------------------------


class SettlementRunIn(Strict):
    period_end: StrictDate
    creditor_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=10_000,
        description="only these creditors (default: every creditor with money)",
    )


class SkippedOut(BaseModel):
    creditor_id: uuid.UUID
    reason: str


class SettlementRunOut(BaseModel):
    period_end: date
    settlement_ids: list[uuid.UUID]
    skipped: list[SkippedOut]
    payout_message_id: str | None


class SettlementOut(BaseModel):
    settlement_id: uuid.UUID
    number: str
    creditor_id: uuid.UUID
    period_end: date
    status: Literal["pending", "posted", "voided"]
    line_count: int
    collected_ore: Ore = Field(description="the creditor's share collected")
    commission_ore: Ore
    credit_report_charges_ore: Ore
    agency_fees_ore: Ore = Field(description="the agency's own fees collected (not deducted)")
    payout_ore: Ore
    payout_message_id: str | None
    payout_end_to_end_id: str | None
    created_at: datetime
    completed_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None


class SettlementLineOut(BaseModel):
    payment_id: uuid.UUID | None
    case_id: uuid.UUID
    value_date: date
    principal_ore: Ore
    interest_ore: Ore
    reminder_fees_ore: Ore
    agency_fees_ore: Ore
    commission_ore: Ore
    net_ore: Ore = Field(description="to the creditor")
    active: bool


class VoidIn(Strict):
    reason: Annotated[Text, Field(min_length=3, max_length=200)]


class SettlementStatusOut(BaseModel):
    settlement_id: uuid.UUID
    status: str


class BankAnswerOut(BaseModel):
    original_message_id: str
    outcomes: dict[str, str] = Field(description="end-to-end id → posted, voided or pending")


# -- rates, agreements, charges ----------------------------------------------------------------


class RateOut(BaseModel):
    id: int
    kind: str
    effective_from: date
    parameter: str
    value: Decimal
    unit: str
    source_url: str | None
    status: Literal["confirmed", "unconfirmed"]


class RateInForceOut(BaseModel):
    """A confirmed rate in force: public knowledge (no id, no status, nobody's name)."""

    kind: str
    parameter: str
    effective_from: date
    value: Decimal
    unit: str
    source_url: str | None


class RateIn(Strict):
    kind: Annotated[Text, Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")]
    effective_from: StrictDate
    value: Decimal = Field(ge=0, le=Decimal("1e9"), max_digits=18, decimal_places=6)
    unit: Literal["NOK", "percent_pa", "percent", "multiple", "factor", "days"]
    parameter: Annotated[Text, Field(max_length=60)] = ""
    source_url: HttpUrl = Field(
        description="where the figure is published: an https page of a primary source "
        "(ledger.domain.rates.PRIMARY_SOURCE_HOSTS, a subdomain counts); else 422 with "
        "the field code `source-not-primary` or `source-not-https`"
    )


class RateConfirmIn(Strict):
    source_url: HttpUrl = Field(
        description="the primary source the row was checked against: an https page of "
        "a primary source (as for a new version); else 422 `source-not-primary` or "
        "`source-not-https`"
    )


def _default_order() -> list[ComponentName]:
    return ["costs", "interest", "principal"]


class AgreementIn(Strict):
    allocation_order: list[ComponentName] = Field(
        default_factory=_default_order, min_length=1, max_length=6
    )
    commission_percent: Decimal = Field(ge=0, le=100, max_digits=7, decimal_places=4)
    vat_deductible: bool = True
    claims_standardkompensasjon: bool = Field(
        default=False,
        description="claim standardkompensasjon (forsinkelsesrenteloven § 3a) on claims "
        "against business debtors, once per claim; it comes off the collection fees",
    )
    payout_account: Annotated[Text | None, Field(max_length=40)] = None
    payout_name: Annotated[
        Text | None, Field(min_length=1, max_length=70, pattern=r"^[^\x00-\x1f\x7f]+$")
    ] = None


class AgreementOut(BaseModel):
    creditor_id: uuid.UUID
    allocation_order: list[str]
    commission_percent: Decimal
    vat_deductible: bool
    claims_standardkompensasjon: bool = False
    payout_account: str | None
    payout_name: str | None
    updated_at: datetime | None = Field(
        default=None,
        description="when the agreement was last set; null: none is stored and the defaults "
        "apply (a settlement run skips a creditor without a payout account)",
    )


class CreditReportChargeOut(BaseModel):
    charge_id: uuid.UUID = Field(description="the credit service's order id")
    amount_ore: Ore = Field(description="price and VAT")
    purchased_on: date
    settlement_id: uuid.UUID | None = Field(description="the settlement that deducted it")


class CreditReportChargesOut(BaseModel):
    creditor_id: uuid.UUID
    charges: list[CreditReportChargeOut]
    pending_ore: Ore = Field(description="to be deducted at the next settlement")
    total_ore: Ore


class BalanceOut(BaseModel):
    account_kind: str
    currency: str
    balance_ore: Ore
    holders: int | None = None


class TrialBalanceOut(BaseModel):
    as_of: date
    accounts: list[BalanceOut]
    total_ore: Ore = Field(description="always zero: every entry balances")


# -- payment plan check ------------------------------------------------------------------------

MAX_PLAN_INSTALMENTS = 120


class PlannedInstalmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_date: StrictDate
    amount_ore: int = Field(ge=1, le=100_000_000_000, description="øre, more than zero")


class PlanCheckIn(BaseModel):
    """An avdragsordning as it would be agreed (the cases service's payment-plan body)."""

    model_config = ConfigDict(extra="forbid")

    instalments: list[PlannedInstalmentIn] = Field(min_length=1, max_length=MAX_PLAN_INSTALMENTS)


class PlanCheckOut(BaseModel):
    """Whether the instalments pay the debt, and what is missing if not."""

    case_id: uuid.UUID
    as_of: date = Field(description="today: the debt the plan starts from")
    balance_ore: Ore = Field(description="the debt today")
    interest_ore: Ore = Field(
        description="forsinkelsesrente accruing on the unpaid principal until the last "
        "instalment, the instalments allocated as payments are"
    )
    fees_ore: Ore = Field(description="fees agreeing the plan adds (the avdragsgebyr)")
    total_ore: Ore = Field(description="balance + interest + fees")
    instalments_ore: Ore
    missing_ore: Ore = Field(description="owed after the last instalment; 0: the plan pays")
    covers: bool
