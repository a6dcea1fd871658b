"""The ledger service's unit of work: the shared one plus its stores and journal."""

from __future__ import annotations

from typing import Self

from servicekit.idempotency import IdempotencyKeys
from servicekit.uow import UnitOfWork

from ledger.adapters.orm import idempotency_keys
from ledger.adapters.repository import CreditorAccountRepository
from ledger.service_layer.books import Books


class LedgerUnitOfWork(UnitOfWork):
    creditor_accounts: CreditorAccountRepository
    books: Books
    keys: IdempotencyKeys

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.creditor_accounts = CreditorAccountRepository(self.session)
        self.books = Books(self.session, self._outbox)
        self.keys = IdempotencyKeys(self.session, idempotency_keys)
        return self

    async def commit(self) -> None:
        await self.books.flush()
        await super().commit()
