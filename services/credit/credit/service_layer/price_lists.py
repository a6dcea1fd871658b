"""The agency's price lists: made, changed while not yet in force, ended, removed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from servicekit.errors import Conflict, NotFound

from credit.domain import products
from credit.domain.errors import InvalidInput
from credit.domain.pricing import InvalidPriceList, PriceItem, PriceList, check_list
from credit.service_layer.unit_of_work import CreditUnitOfWork


class PriceListInForce(Conflict):
    type, title = "price-list-in-force", "The price list is in force"


@dataclass(frozen=True, slots=True)
class PriceListDraft:
    creditor_id: uuid.UUID | None
    name: str
    valid_from: date
    valid_to: date | None
    items: tuple[PriceItem, ...]


def _checked(draft: PriceListDraft) -> tuple[PriceItem, ...]:
    try:
        return check_list(draft.valid_from, draft.valid_to, draft.items, products.CATALOGUE)
    except InvalidPriceList as exc:
        raise InvalidInput(exc.field, exc.code) from exc


async def create(
    uow: CreditUnitOfWork, draft: PriceListDraft, by: uuid.UUID, today: date
) -> PriceList:
    items = _checked(draft)
    if draft.valid_from < today:
        raise InvalidInput("valid_from", "valid-from-in-the-past")
    if draft.creditor_id is not None and await uow.creditors.get(draft.creditor_id) is None:
        raise InvalidInput("creditor_id", "unknown-creditor")
    price_list = PriceList(
        uuid.uuid4(), draft.creditor_id, draft.valid_from, draft.valid_to, items, draft.name
    )
    await uow.prices.add(price_list, by)
    return price_list


async def _existing(uow: CreditUnitOfWork, price_list_id: uuid.UUID) -> PriceList:
    found = await uow.prices.get(price_list_id)
    if found is None:
        raise NotFound("No such price list.")
    return found


async def change(
    uow: CreditUnitOfWork, price_list_id: uuid.UUID, draft: PriceListDraft, today: date
) -> PriceList:
    """Change a list that is not yet in force (one in force is ended and replaced instead:
    orders store the price they were sold at, and a list's history stays readable)."""
    current = await _existing(uow, price_list_id)
    if current.valid_from <= today:
        raise PriceListInForce("A price list in force cannot change; end it and make a new one.")
    if draft.valid_from < today:
        raise InvalidInput("valid_from", "valid-from-in-the-past")
    changed = replace(
        current,
        name=draft.name,
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        items=_checked(draft),
    )
    await uow.prices.replace(changed)
    return changed


async def end(
    uow: CreditUnitOfWork, price_list_id: uuid.UUID, valid_to: date, today: date
) -> PriceList:
    current = await _existing(uow, price_list_id)
    if valid_to <= current.valid_from:
        raise InvalidInput("valid_to", "valid-to-before-valid-from")
    if valid_to < today:
        raise InvalidInput("valid_to", "valid-to-in-the-past")
    await uow.prices.end(price_list_id, valid_to)
    return replace(current, valid_to=valid_to)


async def remove(uow: CreditUnitOfWork, price_list_id: uuid.UUID, today: date) -> None:
    current = await _existing(uow, price_list_id)
    if current.valid_from <= today:
        raise PriceListInForce("A price list that has been in force cannot be removed.")
    await uow.prices.remove(price_list_id)
