"""Price lists: what a creditor pays per credit report (pure).

The agency has a default list; a creditor may have its own. Lists are dated (valid from,
optionally to) and hold a unit price per product in øre ex. VAT with a VAT code
(SAF-T standard codes: ``3`` output VAT at the general rate, 25 %; ``6`` outside the scope,
0 %). The price for a creditor on a date is its own list's item in force then, else the
agency default's. The price shown before purchase is the one the order stores and bills.

VAT on one line is computed here once for display and for the charge: ``price * rate``,
rounded half up to whole øre.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

VAT_RATES_PERCENT: Final[dict[str, int]] = {"3": 25, "6": 0}
"""VAT code → rate in whole percent (codes the price lists may use)."""


class InvalidPriceList(ValueError):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class PriceItem:
    product_code: str
    unit_price_ore: int
    vat_code: str

    @property
    def vat_ore(self) -> int:
        return vat_of(self.unit_price_ore, self.vat_code)


@dataclass(frozen=True, slots=True)
class PriceList:
    id: uuid.UUID
    creditor_id: uuid.UUID | None
    """``None``: the agency's default list."""
    valid_from: date
    valid_to: date | None
    items: tuple[PriceItem, ...]
    name: str = ""

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    def item(self, product_code: str) -> PriceItem | None:
        return next((i for i in self.items if i.product_code == product_code), None)


@dataclass(frozen=True, slots=True)
class Price:
    """A creditor's price for one product on one date, and where it came from."""

    product_code: str
    unit_price_ore: int
    vat_code: str
    vat_ore: int
    price_list_id: uuid.UUID
    creditor_list: bool

    @property
    def total_ore(self) -> int:
        return self.unit_price_ore + self.vat_ore


def vat_of(amount_ore: int, vat_code: str) -> int:
    """VAT on ``amount_ore`` at the code's rate, rounded half up to whole øre."""
    rate = VAT_RATES_PERCENT[vat_code]
    return (amount_ore * rate + 50) // 100


def check_list(
    valid_from: date, valid_to: date | None, items: Iterable[PriceItem], known: Iterable[str]
) -> tuple[PriceItem, ...]:
    """The items of a new list, or :class:`InvalidPriceList` naming the field."""
    products = set(known)
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidPriceList("valid_to", "valid-to-before-valid-from")
    listed = tuple(items)
    if not listed:
        raise InvalidPriceList("items", "price-list-empty")
    seen: set[str] = set()
    for index, item in enumerate(listed):
        if item.product_code not in products:
            raise InvalidPriceList(f"items.{index}.product_code", "unknown-product")
        if item.product_code in seen:
            raise InvalidPriceList(f"items.{index}.product_code", "product-listed-twice")
        if item.unit_price_ore <= 0:
            raise InvalidPriceList(f"items.{index}.unit_price_ore", "price-not-positive")
        if item.vat_code not in VAT_RATES_PERCENT:
            raise InvalidPriceList(f"items.{index}.vat_code", "unknown-vat-code")
        seen.add(item.product_code)
    return listed


def _latest_in_force(lists: Iterable[PriceList], product_code: str, on: date) -> PriceList | None:
    candidates = [pl for pl in lists if pl.in_force(on) and pl.item(product_code) is not None]
    return max(candidates, key=lambda pl: pl.valid_from, default=None)


def price_for(
    product_code: str, creditor_id: uuid.UUID, on: date, lists: Iterable[PriceList]
) -> Price | None:
    """The creditor's price on ``on``: its own list in force, else the agency default's."""
    lists = list(lists)
    own = _latest_in_force([pl for pl in lists if pl.creditor_id == creditor_id], product_code, on)
    chosen = own or _latest_in_force(
        [pl for pl in lists if pl.creditor_id is None], product_code, on
    )
    if chosen is None:
        return None
    item = chosen.item(product_code)
    assert item is not None
    return Price(
        product_code=product_code,
        unit_price_ore=item.unit_price_ore,
        vat_code=item.vat_code,
        vat_ore=item.vat_ore,
        price_list_id=chosen.id,
        creditor_list=own is not None,
    )
