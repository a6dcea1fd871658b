"""Price lists and their items, over one session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from credit.adapters.orm import price_list_items, price_lists, products
from credit.domain.pricing import PriceItem, PriceList


class PriceStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def no_match_terms(self) -> dict[str, bool]:
        """Product code → whether a «no match» answer is charged."""
        rows = await self.session.execute(select(products.c.code, products.c.charge_no_match))
        return {code: bool(charged) for code, charged in rows}

    async def set_no_match_term(self, product_code: str, charged: bool) -> bool:
        """Set whether «no match» is charged for a product; False when no such product."""
        result = await self.session.execute(
            update(products)
            .where(products.c.code == product_code)
            .values(charge_no_match=charged)
            .returning(products.c.code)
        )
        return result.first() is not None

    async def lists(
        self, creditor_ids: Sequence[uuid.UUID | None] | None = None, *, on: date | None = None
    ) -> list[PriceList]:
        """Lists (of these creditors, ``None`` being the agency default), with their items."""
        query = select(price_lists).order_by(price_lists.c.valid_from, price_lists.c.id)
        if creditor_ids is not None:
            wanted = [c for c in creditor_ids if c is not None]
            clauses = [price_lists.c.creditor_id.in_(wanted)] if wanted else []
            if None in creditor_ids:
                clauses.append(price_lists.c.creditor_id.is_(None))
            query = query.where(or_(*clauses))
        if on is not None:
            query = query.where(
                price_lists.c.valid_from <= on,
                or_(price_lists.c.valid_to.is_(None), price_lists.c.valid_to > on),
            )
        rows = (await self.session.execute(query)).mappings().all()
        if not rows:
            return []
        items = (
            (
                await self.session.execute(
                    select(price_list_items)
                    .where(price_list_items.c.price_list_id.in_([r["id"] for r in rows]))
                    .order_by(price_list_items.c.product_code)
                )
            )
            .mappings()
            .all()
        )
        by_list: dict[uuid.UUID, list[PriceItem]] = {}
        for item in items:
            by_list.setdefault(item["price_list_id"], []).append(
                PriceItem(item["product_code"], item["unit_price_ore"], item["vat_code"])
            )
        return [_price_list(r, by_list.get(r["id"], [])) for r in rows]

    async def get(self, price_list_id: uuid.UUID) -> PriceList | None:
        row = (
            (
                await self.session.execute(
                    select(price_lists).where(price_lists.c.id == price_list_id)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        items = (
            (
                await self.session.execute(
                    select(price_list_items).where(
                        price_list_items.c.price_list_id == price_list_id
                    )
                )
            )
            .mappings()
            .all()
        )
        return _price_list(
            row, [PriceItem(i["product_code"], i["unit_price_ore"], i["vat_code"]) for i in items]
        )

    async def add(self, price_list: PriceList, created_by: uuid.UUID) -> None:
        await self.session.execute(
            insert(price_lists).values(
                id=price_list.id,
                creditor_id=price_list.creditor_id,
                name=price_list.name,
                valid_from=price_list.valid_from,
                valid_to=price_list.valid_to,
                created_by=created_by,
            )
        )
        await self._add_items(price_list)

    async def replace(self, price_list: PriceList) -> None:
        await self.session.execute(
            update(price_lists)
            .where(price_lists.c.id == price_list.id)
            .values(
                name=price_list.name, valid_from=price_list.valid_from, valid_to=price_list.valid_to
            )
        )
        await self.session.execute(
            delete(price_list_items).where(price_list_items.c.price_list_id == price_list.id)
        )
        await self._add_items(price_list)

    async def end(self, price_list_id: uuid.UUID, valid_to: date) -> None:
        await self.session.execute(
            update(price_lists).where(price_lists.c.id == price_list_id).values(valid_to=valid_to)
        )

    async def remove(self, price_list_id: uuid.UUID) -> None:
        await self.session.execute(delete(price_lists).where(price_lists.c.id == price_list_id))

    async def _add_items(self, price_list: PriceList) -> None:
        await self.session.execute(
            insert(price_list_items),
            [
                {
                    "price_list_id": price_list.id,
                    "product_code": i.product_code,
                    "unit_price_ore": i.unit_price_ore,
                    "vat_code": i.vat_code,
                }
                for i in price_list.items
            ],
        )


def _price_list(row: Any, items: list[PriceItem]) -> PriceList:
    return PriceList(
        id=row["id"],
        creditor_id=row["creditor_id"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        items=tuple(items),
        name=row["name"],
    )
