"""The ledger service's unit of work: the shared one plus its repositories."""

from __future__ import annotations

from typing import Self

from servicekit.uow import UnitOfWork

from ledger.adapters.repository import CreditorAccountRepository


class LedgerUnitOfWork(UnitOfWork):
    creditor_accounts: CreditorAccountRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.creditor_accounts = CreditorAccountRepository(self.session)
        return self
