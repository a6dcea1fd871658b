"""Events produced by the cases service (``services/cases``).

Ids, dates and amounts, and personal data only where a consumer needs it: the debtor's
name on ``cases.case.registered`` (the order confirmation prints it), never an address or
a national id number. Amounts are integer øre.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.envelope import EventData
from contracts.registry import event_model

DebtorKind = Literal["person", "business"]
RegistrationChannel = Literal["api", "form", "import"]

CaseStatus = str
"""A workflow state: ``registered``, ``notice_sent`` (inkassovarsel), ``demand_sent``
(betalingsoppfordring), ``disputed`` (innsigelse), ``payment_plan`` (avdragsordning),
``legal`` (forliksråd / namsmann) or ``closed``. New states may appear: consumers
tolerate unknown ones."""


class ClaimRegistered(BaseModel):
    """One claim (an invoice) of a registered case."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    claim_id: uuid.UUID
    invoice_number: str = Field(max_length=40)
    invoice_date: date
    due_date: date
    principal_ore: int = Field(gt=0, description="the unpaid principal, øre")
    reminder_fee_ore: int = Field(
        ge=0, description="reminder fees (purregebyr) the creditor already charged, øre"
    )
    limitation_date: date = Field(description="when the claim becomes time-barred (foreldet)")


class ClaimInterestStart(BaseModel):
    """A claim without a due date agreed in advance: forsinkelsesrente runs only once 30
    days have passed after the creditor's written demand (påkrav; forsinkelsesrenteloven
    § 2 first paragraph)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    claim_id: uuid.UUID
    demand_sent_on: date = Field(description="the day the written demand (påkrav) was sent")
    interest_due_date: date = Field(
        description="30 days after the demand: interest runs from the day after, as from a due date"
    )


class ClaimReminder(BaseModel):
    """A purring (or inkassovarsel) the creditor sent on a claim before handing it over,
    with the fee it carried (0: none). The ledger counts these as events for the two
    reminder fees of inkassoforskriften § 1-3, not the total divided by a fee."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    claim_id: uuid.UUID
    sent_on: date = Field(description="the day the reminder was sent")
    fee_ore: int = Field(ge=0, description="the reminder fee it carried, øre (0: none)")


@event_model
class CaseRegistered(EventData):
    """A creditor handed over a case (oppdrag): one debtor, one or more claims."""

    event_type = "cases.case.registered"

    case_id: uuid.UUID
    creditor_id: uuid.UUID = Field(description="the creditor organisation (auth's id)")
    case_number: str = Field(description="the readable case number")
    kid: str = Field(pattern=r"^\d{2,25}$", description="payment reference (KID) for the case")
    creditor_reference: str = Field(max_length=60)
    batch_id: uuid.UUID
    channel: RegistrationChannel
    debtor_kind: DebtorKind
    currency: str = Field(default="NOK", pattern=r"^[A-Z]{3}$")
    claims: list[ClaimRegistered] = Field(min_length=1)
    registered_at: AwareDatetime
    debtor_name: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "the debtor's name, for the order confirmation (ordrebekreftelse) the reports "
            "service issues; absent from producers before it was added"
        ),
    )
    interest_starts: list[ClaimInterestStart] | None = Field(
        default=None,
        max_length=100,
        description="the claims whose interest does not run from their due date (no due "
        "date agreed in advance: from 30 days after a påkrav); None or absent: every claim's "
        "interest runs from its due date",
    )
    reminders: list[ClaimReminder] | None = Field(
        default=None,
        max_length=2000,
        description="the reminders the creditor sent, claim by claim (date and fee); None or "
        "absent: not given, only each claim's reminder_fee_ore total is known",
    )


class RejectedRow(BaseModel):
    """A row (or case) of a submission that was not registered, and which fields were wrong."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    row: int = Field(ge=0, description="the row's position in the submission (1-based for a file)")
    creditor_reference: str | None = Field(default=None, max_length=60)
    fields: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="the paths (or file columns) of the fields in error",
    )


MAX_REJECTED_ROWS = 1000
"""How many refused rows a batch event lists (its ``rejected_count`` counts them all)."""


@event_model
class BatchRegistered(EventData):
    """A registration batch (one submission) is complete: its order confirmation can be made.

    The cases of the batch carry its ``batch_id`` on their ``cases.case.registered`` events.
    """

    event_type = "cases.batch.registered"

    batch_id: uuid.UUID
    batch_number: str
    creditor_id: uuid.UUID
    channel: RegistrationChannel
    case_count: int = Field(ge=0)
    claim_count: int = Field(ge=0)
    principal_total_ore: int = Field(ge=0)
    rejected_count: int = Field(ge=0, description="rows of an import that were not accepted")
    registered_at: AwareDatetime
    rejected_rows: list[RejectedRow] = Field(
        default_factory=list,
        max_length=MAX_REJECTED_ROWS,
        description=(
            "the refused rows with their error codes, the first "
            f"{MAX_REJECTED_ROWS} (the order confirmation lists them apart)"
        ),
    )


@event_model
class CaseStatusChanged(EventData):
    """A case moved a step in the collection workflow.

    ``step`` names what happened (``inkassovarsel_sent``, ``betalingsoppfordring_sent``,
    ``objection_registered``, ``legal_step_forliksklage`` …); the ledger charges fees by the
    step and ``effective_date``, under the rule set named by ``rule_set``.
    """

    event_type = "cases.case.status_changed"

    case_id: uuid.UUID
    creditor_id: uuid.UUID
    from_status: CaseStatus
    to_status: CaseStatus
    step: str
    effective_date: date = Field(description="the business date (Europe/Oslo) of the step")
    deadline: date | None = Field(default=None, description="the deadline the step gave")
    rule_set: str = Field(description="the dated rule set the step was taken under")
    debtor_kind: DebtorKind
    actor: str = Field(description="'scheduler', 'system' or the acting user's id")
    changed_at: AwareDatetime
    instalments: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="the number of instalments of an agreed avdragsordning "
        "(step ``payment_plan_agreed``; the avdragsgebyr needs it); None otherwise",
    )


@event_model
class CaseClosed(EventData):
    """A case was closed: paid, withdrawn by the creditor or uncollectible."""

    event_type = "cases.case.closed"

    case_id: uuid.UUID
    creditor_id: uuid.UUID
    reason: Literal["paid", "withdrawn", "uncollectible"]
    closed_on: date
    actor: str
    closed_at: AwareDatetime


@event_model
class NoteAdded(EventData):
    """A note was written on a case. The text stays in the cases service."""

    event_type = "cases.note.added"

    note_id: uuid.UUID
    case_id: uuid.UUID
    creditor_id: uuid.UUID
    author_id: uuid.UUID
    author_side: Literal["creditor", "agency"]
    visibility: Literal["shared", "internal"]
    created_at: AwareDatetime


class PostalAddress(BaseModel):
    """Where a letter to the debtor goes (the debtor's registered address)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    lines: list[str] = Field(min_length=1, max_length=3)
    postal_code: str = Field(max_length=12)
    city: str = Field(max_length=100)
    country: str = Field(default="NO", pattern=r"^[A-Z]{2}$")


LetterKind = Literal["inkassovarsel", "betalingsoppfordring"]


@event_model
class DebtorLetterRequested(EventData):
    """The workflow took a step that sends a letter to the debtor (an inkassovarsel,
    inkassoloven § 9, or a betalingsoppfordring, § 10): the reports service renders it and
    hands it to the post.

    Emitted with ``cases.case.status_changed`` of the same step, in the same transaction.
    It carries the debtor's name and postal address, which no other event does: only the
    reports service binds this routing key (ADR 0033), so no other consumer receives them.
    """

    event_type = "cases.debtor_letter.requested"

    letter_id: uuid.UUID = Field(description="the letter's id; the post dedupes by it")
    case_id: uuid.UUID
    creditor_id: uuid.UUID
    kind: LetterKind
    step: str
    sent_on: date = Field(description="the business date (Europe/Oslo) the letter is sent")
    deadline: date = Field(description="the payment (or objection) deadline the letter gives")
    rule_set: str
    debtor_kind: DebtorKind
    debtor_name: str = Field(max_length=200)
    address: PostalAddress
    requested_at: AwareDatetime


@event_model
class ClaimTimeBarred(EventData):
    """A claim of a case became time-barred (foreldet), or stopped being so.

    Published when the cases service finds a claim past its limitation date
    (``time_barred_on`` set: the first day it is time-barred, foreldelsesloven §§ 2, 5, 29)
    and, rarely, when an interruption dated before that day is recorded afterwards (a
    payment or acknowledgement that arrived late): ``time_barred_on`` None, the claim runs
    again until ``limitation_date``. The ledger stops interest and fees on a time-barred
    claim from ``time_barred_on``.
    """

    event_type = "cases.claim.time_barred"

    case_id: uuid.UUID
    creditor_id: uuid.UUID
    claim_id: uuid.UUID
    limitation_date: date = Field(description="the first day the claim is (or will be) barred")
    time_barred_on: date | None = Field(
        description="the first day the claim is time-barred; None: no longer time-barred"
    )
    changed_at: AwareDatetime
