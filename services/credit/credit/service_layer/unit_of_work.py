"""The credit service's unit of work: the shared one plus its repositories."""

from __future__ import annotations

from typing import Self

from servicekit.uow import UnitOfWork

from credit.adapters.repository import CreditorRepository


class CreditUnitOfWork(UnitOfWork):
    creditors: CreditorRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.creditors = CreditorRepository(self.session)
        return self
