"""The reports service's unit of work: the shared one plus its repositories."""

from __future__ import annotations

from typing import Self

from servicekit.uow import UnitOfWork

from reports.adapters.repository import OrganisationRepository


class ReportsUnitOfWork(UnitOfWork):
    organisations: OrganisationRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.organisations = OrganisationRepository(self.session)
        return self
