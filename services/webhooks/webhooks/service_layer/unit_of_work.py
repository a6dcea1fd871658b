"""The webhooks service's unit of work: the shared one plus its endpoint repository."""

from __future__ import annotations

from typing import Self

from servicekit.uow import UnitOfWork

from webhooks.adapters.repository import EndpointRepository


class WebhooksUnitOfWork(UnitOfWork):
    endpoints: EndpointRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.endpoints = EndpointRepository(self.session)
        return self
