"""The agency's agreement with a creditor: which products and purposes it may use (pure).

The agency admin sets it per creditor. No agreement stored means the defaults: every
product on the creditor's price list and every purpose. An order outside the agreement is
refused before the bureau is asked, with a field code the portal translates.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from credit.domain.purposes import PurposeCode


class OutsideAgreement(ValueError):
    """The order uses a product or purpose the creditor's agreement does not allow."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


class InvalidAgreement(ValueError):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class Agreement:
    creditor_id: uuid.UUID
    products: frozenset[str] | None = None
    """Allowed product codes; ``None``: every product."""
    purposes: frozenset[str] | None = None
    """Allowed purpose codes; ``None``: every purpose."""

    def check(self, product_code: str, purpose_code: str) -> None:
        """Nothing when the order is inside the agreement, else :class:`OutsideAgreement`."""
        if self.products is not None and product_code not in self.products:
            raise OutsideAgreement("product_code", "product-not-in-agreement")
        if self.purposes is not None and purpose_code not in self.purposes:
            raise OutsideAgreement("purpose.code", "purpose-not-in-agreement")


def make(
    creditor_id: uuid.UUID,
    products: Iterable[str] | None,
    purposes: Iterable[str] | None,
    known_products: Iterable[str],
) -> Agreement:
    """A checked agreement, or :class:`InvalidAgreement` naming the field."""
    chosen_products = None if products is None else frozenset(products)
    chosen_purposes = None if purposes is None else frozenset(purposes)
    if chosen_products is not None:
        unknown = chosen_products - set(known_products)
        if unknown:
            raise InvalidAgreement("products", "unknown-product")
    if chosen_purposes is not None and chosen_purposes - {p.value for p in PurposeCode}:
        raise InvalidAgreement("purposes", "unknown-purpose")
    return Agreement(creditor_id, chosen_products, chosen_purposes)
