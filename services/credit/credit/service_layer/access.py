"""Reading orders with an audit trail: every view of a result is logged (append-only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from credit.service_layer.unit_of_work import CreditUnitOfWork


@dataclass(frozen=True, slots=True)
class Reader:
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    tenant: uuid.UUID | None
    """The creditor the reader is limited to; ``None`` for agency staff."""
    ip: str | None = None


async def read_order(
    uow: CreditUnitOfWork, order_id: uuid.UUID, reader: Reader
) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """The order and its report, when the reader may see them; the view is logged."""
    async with uow:
        order = await uow.orders.get(order_id)
        if order is None or (reader.tenant is not None and order["creditor_id"] != reader.tenant):
            return None
        report = await uow.orders.report(order_id)
        await uow.orders.log_access(
            action="view",
            user_id=reader.user_id,
            organisation_id=reader.organisation_id,
            order_id=order_id,
            creditor_id=order["creditor_id"],
            purpose_code=order["purpose_code"],
            ip=reader.ip,
        )
        await uow.commit()
    return order, report


async def who_checked(
    uow: CreditUnitOfWork, subject_index: str, reader: Reader
) -> list[dict[str, Any]]:
    """«Why was I checked?»: every order on a subject (agency admins); the look-up is logged."""
    from credit import views

    async with uow:
        rows = await views.order_rows_for_subject(uow.session, subject_index)
        await uow.orders.log_access(
            action="subject-lookup",
            user_id=reader.user_id,
            organisation_id=reader.organisation_id,
            order_id=None,
            creditor_id=None,
            ip=reader.ip,
        )
        await uow.commit()
    return rows
