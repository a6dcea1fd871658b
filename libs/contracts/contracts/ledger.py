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
