"""The agency admin sets a creditor's agreement: which products and purposes it may use."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from servicekit.errors import NotFound

from credit.domain import agreements, products
from credit.domain.errors import InvalidInput
from credit.service_layer.unit_of_work import CreditUnitOfWork


async def set_agreement(
    uow: CreditUnitOfWork,
    creditor_id: uuid.UUID,
    allowed_products: list[str] | None,
    allowed_purposes: list[str] | None,
    by: uuid.UUID,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Store the agreement (replacing any); 404 for an unknown creditor, 422 naming a field."""
    try:
        agreement = agreements.make(
            creditor_id, allowed_products, allowed_purposes, products.CATALOGUE
        )
    except agreements.InvalidAgreement as exc:
        raise InvalidInput(exc.field, exc.code) from exc
    async with uow:
        if await uow.creditors.get(creditor_id) is None:
            raise NotFound("No such creditor.")
        await uow.agreements.put(agreement, by, now())
        await uow.commit()
