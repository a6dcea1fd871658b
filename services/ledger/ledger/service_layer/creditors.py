"""Creditor agreements and the credit-report charges deducted at settlements."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Protocol

from ledger.domain.agreements import CreditorAgreement
from ledger.service_layer.books import Books


async def set_agreement(books: Books, agreement: CreditorAgreement) -> CreditorAgreement:
    await books.agreements.put(agreement)
    return agreement


class CreditReportCharges(Protocol):
    async def add_charge(
        self, *, charge_id: uuid.UUID, creditor_id: uuid.UUID, amount_ore: int, purchased_on: date
    ) -> bool: ...


async def record_credit_report_charge(
    charges: CreditReportCharges,
    *,
    charge_id: uuid.UUID,
    creditor_id: uuid.UUID,
    amount_ore: int,
    on: date,
) -> bool:
    """A credit report the creditor bought (``credit.report.purchased.v1``), deducted at its
    next settlement; False when the charge was recorded before (one charge per order)."""
    return await charges.add_charge(
        charge_id=charge_id, creditor_id=creditor_id, amount_ore=amount_ore, purchased_on=on
    )
