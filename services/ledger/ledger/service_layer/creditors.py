"""Creditor agreements and the credit-report charges deducted at settlements."""

from __future__ import annotations

import uuid
from datetime import date

from ledger.domain.agreements import CreditorAgreement
from ledger.service_layer.books import Books


async def set_agreement(books: Books, agreement: CreditorAgreement) -> CreditorAgreement:
    await books.agreements.put(agreement)
    return agreement


async def record_credit_report_charge(
    books: Books, *, charge_id: uuid.UUID, creditor_id: uuid.UUID, amount_ore: int, on: date
) -> bool:
    """A credit report the creditor bought; False when the charge was recorded before."""
    return await books.settlements.add_charge(
        charge_id=charge_id, creditor_id=creditor_id, amount_ore=amount_ore, purchased_on=on
    )
