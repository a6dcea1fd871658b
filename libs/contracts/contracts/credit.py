"""Events produced by the credit service (``services/credit``).

No personal data: a purchase names the order, the creditor, the product and the money;
the subject stays in the credit service.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData
from contracts.registry import event_model


@event_model
class CreditReportPurchased(EventData):
    """A creditor bought a credit report (a completed order): charge it to the creditor.

    Emitted once per completed, priced order; never for a failed order or a report shown
    again. The ledger deducts ``price_ore + vat_ore`` at the creditor's next settlement.
    """

    event_type = "credit.report.purchased"

    order_id: uuid.UUID = Field(description="the order: one charge per order")
    creditor_id: uuid.UUID
    product_code: str
    price_ore: int = Field(gt=0, description="øre ex. VAT, as the creditor accepted it")
    vat_ore: int = Field(ge=0)
    vat_code: str = Field(description="SAF-T standard VAT code of the price")
    purchased_on: date = Field(description="the business date (Europe/Oslo) it completed")
    purchased_at: AwareDatetime
    ordered_by: uuid.UUID = Field(description="the user who ordered it")
    case_id: str | None = Field(default=None, description="the case it was ordered for")
