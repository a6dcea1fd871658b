"""Request and response bodies of the cases API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from servicekit.text import NotBlank
from servicekit.types import Count, SignedOre, StrictDate, Text

from cases.domain import registration as domain
from cases.domain.limitation import ClaimType
from cases.entrypoints.workflow_schemas import NextStepsOut


class CreditorOut(BaseModel):
    organisation_id: uuid.UUID
    name: str
    organisation_number: str = Field(description="Organisasjonsnummer")
    active: bool = Field(description="Whether new cases can be registered for the creditor")
    registered_at: datetime


# -- registration ------------------------------------------------------------------------


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[Annotated[Text, Field(max_length=200)]] = Field(
        min_length=1, max_length=3, description="Street address lines"
    )
    postal_code: Annotated[Text, Field(max_length=12, examples=["0155"])]
    city: Annotated[Text, Field(max_length=100, examples=["Oslo"])]
    country: Annotated[Text, Field(max_length=20, description="ISO 3166 alpha-2")] = "NO"


class DebtorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["person", "business"]
    name: Annotated[Text, Field(max_length=200)]
    national_id: Annotated[Text | None, Field(max_length=20)] = Field(
        default=None,
        description=(
            "Fødselsnummer or D-nummer (11 digits) of a person; stored encrypted and never "
            "shown in full again"
        ),
        json_schema_extra={"writeOnly": True},
    )
    organisation_number: Annotated[Text | None, Field(max_length=20)] = Field(
        default=None, description="Organisasjonsnummer (9 digits) of a business"
    )
    address: AddressIn
    email: Annotated[Text | None, Field(max_length=254)] = None
    phone: Annotated[Text | None, Field(max_length=20)] = None


class ReminderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sent_on: StrictDate = Field(description="the day the purring (or varsel) was sent")
    fee_ore: Annotated[SignedOre, Field(description="the fee it carried, øre (0: none)")] = 0


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_number: Annotated[Text, Field(max_length=40)]
    invoice_date: StrictDate
    due_date: StrictDate
    principal_ore: Annotated[
        SignedOre, Field(description="Unpaid principal in øre (kr 1 234,50 = 123450)")
    ]
    reminder_fee_ore: Annotated[
        SignedOre, Field(description="Reminder fees already charged, øre")
    ] = 0
    claim_type: ClaimType = Field(
        default="ordinary",
        description="`ordinary` (limitation three years from the due date, "
        "foreldelsesloven § 2) or `loan`: a pengelån or a claim with a gjeldsbrev "
        "(ten years, § 5)",
    )
    demand_sent_on: StrictDate | None = Field(
        default=None,
        description="Only when no due date was agreed in advance: the day you sent the "
        "written demand (påkrav). Forsinkelsesrente then runs from 30 days after it "
        "(forsinkelsesrenteloven § 2), not from `due_date`",
    )
    reminders: list[ReminderIn] | None = Field(
        default=None,
        max_length=10,
        description="The reminders you sent on the claim, each with its date and fee "
        "(inkassoforskriften § 1-3 allows fees for two; they are counted, not inferred from "
        "the total). Their fees must add up to `reminder_fee_ore` (left out or 0: taken as "
        "their sum)",
    )


class CaseIn(BaseModel):
    """A case to register: the creditor's reference, the debtor and the overdue claims."""

    model_config = ConfigDict(extra="forbid")

    creditor_reference: Annotated[
        Text,
        Field(
            max_length=60,
            description="Your own reference, unique per creditor: sending it again is recognised",
        ),
    ]
    debtor: DebtorIn
    claims: list[ClaimIn] = Field(min_length=1, max_length=domain.MAX_CLAIMS)

    def to_domain(self) -> domain.CaseRegistration:
        d = self.debtor
        return domain.CaseRegistration(
            creditor_reference=self.creditor_reference,
            debtor=domain.Debtor(
                kind=d.kind,
                name=d.name,
                address=domain.Address(
                    lines=tuple(d.address.lines),
                    postal_code=d.address.postal_code,
                    city=d.address.city,
                    country=d.address.country,
                ),
                national_id=d.national_id,
                organisation_number=d.organisation_number,
                email=d.email,
                phone=d.phone,
            ),
            claims=tuple(
                domain.Claim(
                    invoice_number=c.invoice_number,
                    invoice_date=c.invoice_date,
                    due_date=c.due_date,
                    principal_ore=c.principal_ore,
                    reminder_fee_ore=(
                        c.reminder_fee_ore
                        if c.reminders is None or c.reminder_fee_ore
                        else sum(r.fee_ore for r in c.reminders)
                    ),
                    claim_type=c.claim_type,
                    demand_sent_on=c.demand_sent_on,
                    reminders=(
                        None
                        if c.reminders is None
                        else tuple(domain.ReminderSent(r.sent_on, r.fee_ore) for r in c.reminders)
                    ),
                )
                for c in self.claims
            ),
        )


class CasesIn(BaseModel):
    """Several cases in one submission (one registration batch)."""

    model_config = ConfigDict(extra="forbid")

    cases: list[CaseIn] = Field(min_length=1, max_length=1000)


class RegisteredOut(BaseModel):
    case_id: uuid.UUID
    case_number: str = Field(examples=["IC-0001234"])
    kid: str = Field(description="Payment reference (KID) for the debtor's payments")
    creditor_reference: str
    batch_id: uuid.UUID
    batch_number: str


class FieldErrorOut(BaseModel):
    field: str
    reason: str = Field(description="English, for developers")
    code: str | None = Field(
        default=None, description="Stable code for clients that translate (`already_registered`)"
    )


class RejectedOut(BaseModel):
    index: int = Field(description="Position of the case in the request (from 0)")
    creditor_reference: str
    errors: list[FieldErrorOut]
    existing_case_number: str | None = None


class BatchSubmissionOut(BaseModel):
    batch_id: uuid.UUID
    batch_number: str
    registered: list[RegisteredOut]
    rejected: list[RejectedOut]


# -- batches -------------------------------------------------------------------------------


class BatchOut(BaseModel):
    batch_id: uuid.UUID
    batch_number: str
    creditor_id: uuid.UUID
    channel: Literal["api", "form", "import"]
    status: Literal["open", "registered"]
    case_count: int
    claim_count: int
    principal_total_ore: int
    rejected_count: int
    created_at: datetime
    registered_at: datetime | None


class BatchCaseOut(BaseModel):
    case_id: uuid.UUID
    case_number: str
    kid: str
    creditor_reference: str
    principal_total_ore: int
    claim_count: int


class BatchDetailOut(BatchOut):
    cases: list[BatchCaseOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page of cases")


class BatchPage(BaseModel):
    items: list[BatchOut]
    next_cursor: str | None


# -- queries -------------------------------------------------------------------------------


class CaseSummaryOut(BaseModel):
    case_id: uuid.UUID
    case_number: str
    kid: str
    creditor_id: uuid.UUID
    creditor_reference: str
    status: str
    closed_reason: str | None
    debtor_kind: Literal["person", "business"]
    debtor_name: str
    principal_total_ore: int
    balance_ore: int = Field(
        description="What the debtor owes (principal, interest and costs as booked), as the "
        "ledger last stated it; until it has, what was registered (principal and reminder "
        "fees). Interest accrues daily beyond what is booked: the case economy "
        "(`/api/v1/ledger/cases/{id}/economy`) has the figure of the day."
    )
    paid_ore: int = Field(description="Paid on the case so far, net of payments taken back")
    balance_changed_at: datetime | None = Field(
        default=None,
        description="When the ledger stated the balance (null: as registered, not yet stated)",
    )
    claim_count: int
    earliest_due_date: date
    deadline: date | None
    registered_at: datetime
    status_since: datetime
    updated_at: datetime | None = Field(
        default=None, description="When the case last changed (for `updated_since` sync)"
    )


class CasePage(BaseModel):
    items: list[CaseSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")
    total: int = Field(
        description="How many cases the filters find (all pages): exact up to 10,000; "
        "beyond, 10,000 with `total_exact` false («more than 10,000»)"
    )
    total_exact: bool = Field(description="false: there are more than `total` cases")


class StatusFigureOut(BaseModel):
    status: str
    cases: int
    principal_total_ore: int


class MonthFigureOut(BaseModel):
    month: date = Field(description="The first day of the month (Europe/Oslo)")
    cases: int = Field(description="Cases registered in the month")


class PortfolioSummaryOut(BaseModel):
    """The caller's portfolio at a glance (every case they may see, not a sample)."""

    total_cases: int
    open_cases: int
    outstanding_principal_ore: int = Field(description="Principal of the cases not closed")
    by_status: list[StatusFigureOut]
    registered_per_month: list[MonthFigureOut]


class AddressOut(BaseModel):
    lines: list[str]
    postal_code: str
    city: str
    country: str


class DebtorOut(BaseModel):
    kind: Literal["person", "business"]
    name: str
    national_id_masked: str | None = Field(
        description="The national id number with the personal number hidden (ddmmyy*****)"
    )
    organisation_number: str | None
    address: AddressOut
    email: str | None
    phone: str | None


class ClaimOut(BaseModel):
    claim_id: uuid.UUID
    invoice_number: str
    invoice_date: date
    due_date: date
    principal_ore: int
    reminder_fee_ore: int
    limitation_date: date = Field(
        description="The first day the claim is time-barred (foreldet): the day after the "
        "period's last day (foreldelsesloven § 29; ADR 0050)"
    )
    claim_type: str = Field(
        default="ordinary", description="`ordinary` (3 years) or `loan` (10 years, § 5)"
    )
    demand_sent_on: date | None = Field(
        default=None,
        description="no due date agreed: the påkrav's date (interest from 30 days after it)",
    )


class TimelineEntryOut(BaseModel):
    occurred_at: datetime
    kind: str
    step: str | None
    from_status: str | None
    to_status: str | None
    effective_date: date | None
    deadline: date | None
    actor_kind: str = Field(description="user, scheduler, system or ledger")
    actor_id: uuid.UUID | None
    detail: dict[str, Any] = Field(
        default_factory=dict,
        description="What the step carried: the next action, an objection or plan id, a reason",
    )


class AttachmentOut(BaseModel):
    attachment_id: uuid.UUID
    note_id: uuid.UUID
    filename: str = Field(
        description="The name it is downloaded with (cleaned, extension by content)"
    )
    media_type: str = Field(description="Told by the file's content (magic bytes), not its name")
    size_bytes: int
    status: Literal["pending", "clean", "quarantined"] = Field(
        description=(
            "'pending': held until ClamAV has scanned it (the scanner was unreachable); "
            "'clean': scanned, downloadable; 'quarantined': malware found, never downloadable"
        )
    )
    created_at: datetime


class NoteOut(BaseModel):
    note_id: uuid.UUID
    seq: int = Field(description="Increasing number of the note (for read marks)")
    author_id: uuid.UUID
    author_side: Literal["creditor", "agency"]
    visibility: Literal["shared", "internal"]
    body: str
    created_at: datetime
    unread: bool
    attachments: list[AttachmentOut] = Field(
        default_factory=list, description="Files on the note, with their scan status"
    )


class FeedNoteOut(BaseModel):
    note_id: uuid.UUID
    case_id: uuid.UUID
    seq: int = Field(description="Increasing number of the note: pass the last as `after`")
    author_id: uuid.UUID
    author_side: Literal["creditor", "agency"]
    visibility: Literal["shared", "internal"]
    body: str
    created_at: datetime


class NotesPage(BaseModel):
    items: list[FeedNoteOut]
    next_cursor: int | None = Field(description="pass as `after` for the next page")


class CaseDetailOut(CaseSummaryOut):
    rule_set: str
    next_step_on: date | None
    needs_attention: str | None
    limitation_date: date
    batch_id: uuid.UUID
    debtor: DebtorOut
    claims: list[ClaimOut]
    timeline: list[TimelineEntryOut]
    notes: list[NoteOut]
    next_steps: NextStepsOut = Field(description="Where the case stands and what happens next")


# -- notes ---------------------------------------------------------------------------------


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[Text, Field(min_length=1, max_length=4000), NotBlank]
    visibility: Literal["shared", "internal"] = Field(
        default="shared",
        description="'internal' notes are for the agency only (case handlers may write them)",
    )


class NotesReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    up_to_seq: Annotated[Count, Field(description="Mark every note up to this `seq` as read")]


class UnreadCaseOut(BaseModel):
    case_id: uuid.UUID
    case_number: str
    unread: int


class UnreadOut(BaseModel):
    total: int = Field(description="Unread notes on all cases the caller may see")
    cases: list[UnreadCaseOut] = Field(description="The cases with unread notes (most first)")
