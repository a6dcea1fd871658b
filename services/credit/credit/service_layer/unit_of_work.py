"""The credit service's unit of work: the shared one plus its repositories."""

from __future__ import annotations

from typing import Self

from servicekit.uow import UnitOfWork

from credit.adapters.agreement_store import AgreementStore
from credit.adapters.order_store import OrderStore
from credit.adapters.price_store import PriceStore
from credit.adapters.repository import CreditorRepository


class CreditUnitOfWork(UnitOfWork):
    agreements: AgreementStore
    creditors: CreditorRepository
    orders: OrderStore
    prices: PriceStore

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.agreements = AgreementStore(self.session)
        self.creditors = CreditorRepository(self.session)
        self.orders = OrderStore(self.session)
        self.prices = PriceStore(self.session)
        return self
