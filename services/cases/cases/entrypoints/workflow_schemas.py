"""Request and response bodies of the workflow API (case actions, work queue, next steps)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from servicekit.text import NotBlank
from servicekit.types import Ore, StrictDate, Text

from cases.domain.registration import MAX_PRINCIPAL_ORE
from cases.views_workflow import NextSteps

Note = Annotated[Text, Field(max_length=2000, description="Why (for the timeline)"), NotBlank]

# -- requests ------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoteIn(_Body):
    note: Note | None = None


class ObjectionIn(_Body):
    """The debtor's objection (innsigelse): the case pauses until it is resolved."""

    received_on: Annotated[StrictDate, Field(description="When the debtor's objection arrived")]
    grounds: Annotated[
        Text, Field(min_length=1, max_length=4000, description="What the debtor objects to")
    ]


class ObjectionResolutionIn(_Body):
    outcome: Literal["resumed", "closed", "legal"] = Field(
        description=(
            "`resumed`: collection goes on where it was, with a new deadline; `closed`: the "
            "objection is upheld and the case closed; `legal`: the claim goes to forliksrådet "
            "(forliksklage)"
        )
    )
    note: Note | None = None


class InstalmentIn(_Body):
    due_date: StrictDate
    amount_ore: Annotated[
        Ore, Field(gt=0, le=MAX_PRINCIPAL_ORE, description="Øre (kr 1 234,50 = 123450)")
    ]


class PaymentPlanIn(_Body):
    """An avdragsordning (payment plan): instalments in due-date order."""

    instalments: list[InstalmentIn] = Field(min_length=1, max_length=120)


class LegalStepIn(_Body):
    step: Literal["forliksklage", "utlegg"] = Field(
        description="`forliksklage` to forliksrådet, or `utlegg` (utleggsbegjæring) to the namsmann"
    )
    note: Note | None = None


class AcknowledgementIn(_Body):
    """Something that interrupts limitation (foreldelsesloven §§ 14, 21)."""

    kind: Literal["acknowledgement", "part_payment", "judgment"]
    on: Annotated[
        StrictDate, Field(description="The day of the acknowledgement, payment or judgment")
    ]


class CloseIn(_Body):
    reason: Literal["withdrawn", "uncollectible"]
    note: Note | None = None


# -- responses -----------------------------------------------------------------------------


class NextStepOut(BaseModel):
    action: str = Field(examples=["send_betalingsoppfordring"])
    by: Literal["scheduler", "case_handler", "debtor", "nobody"]
    on: date | None = Field(description="When, if it is scheduled")
    description: str


class ActionOut(BaseModel):
    """What an action did, and what happens next."""

    case_id: uuid.UUID
    case_number: str
    status: str
    step: str = Field(examples=["inkassovarsel_sent"])
    effective_date: date
    deadline: date | None = Field(description="The deadline the step gave the debtor")
    needs_attention: str | None
    limitation_date: date | None
    next: NextStepOut


class InstalmentOut(BaseModel):
    number: int
    due_date: date
    amount_ore: int


class PaymentPlanOut(BaseModel):
    payment_plan_id: uuid.UUID
    agreed_on: date
    total_ore: int
    instalments: list[InstalmentOut]


class OpenObjectionOut(BaseModel):
    objection_id: uuid.UUID
    received_on: date
    registered_at: datetime


class NextStepsOut(BaseModel):
    """Where a case stands in the workflow and what happens next."""

    case_id: uuid.UUID
    case_number: str
    status: str
    closed_reason: str | None
    needs_attention: str | None
    deadline: date | None
    next_step_on: date | None
    limitation_date: date = Field(description="The earliest of the claims' (foreldelse)")
    rule_set: str = Field(description="The rule set the next step is taken under")
    next: NextStepOut
    actions: list[str] = Field(description="What the caller may do now")
    legal_window_ends: date | None = Field(
        description="Legal steps by this day, else a new betalingsoppfordring is needed"
    )
    payment_remark_from: date | None = Field(
        description="From when a betalingsanmerkning (payment remark) may be reported"
    )
    objection: OpenObjectionOut | None
    payment_plan: PaymentPlanOut | None
    letter_refusals: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description=(
            "Case handlers: why each collection letter (send_inkassovarsel, "
            "send_betalingsoppfordring) may not be sent by hand today: the refusal's "
            "``code`` (as the 409 problem's ``code`` would say) and the dates it names"
        ),
    )

    @classmethod
    def from_view(cls, view: NextSteps) -> NextStepsOut:
        return cls.model_validate(
            {
                **{k: getattr(view, k) for k in cls.model_fields if k != "next"},
                "next": NextStepOut.model_validate(view.next, from_attributes=True),
            }
        )


class WorkItemOut(BaseModel):
    case_id: uuid.UUID
    case_number: str
    creditor_id: uuid.UUID
    status: str
    needs_attention: str = Field(
        description=(
            "time_barred, limitation_30d, objection, legal_decision, new_demand_needed, "
            "payment_plan_ended, limitation_90d"
        )
    )
    attention_since: datetime
    deadline: date | None
    next_step_on: date | None
    limitation_date: date
    principal_total_ore: int
    debtor_kind: Literal["person", "business"]
    objection_received_on: date | None


class WorkQueuePage(BaseModel):
    items: list[WorkItemOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")
