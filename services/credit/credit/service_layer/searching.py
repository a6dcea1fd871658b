"""Searching a business by name at the bureau: free (a search is not a purchase), but
logged in the access log like every look-up of a subject."""

from __future__ import annotations

from credit.service_layer.access import Reader
from credit.service_layer.ports import Bureau, CompanyCandidate
from credit.service_layer.unit_of_work import CreditUnitOfWork


async def search_companies(
    uow: CreditUnitOfWork, bureau: Bureau, name: str, reader: Reader
) -> list[CompanyCandidate]:
    """The bureau's candidates for ``name``; the search is logged first (the name is not)."""
    async with uow:
        await uow.orders.log_access(
            action="search",
            user_id=reader.user_id,
            organisation_id=reader.organisation_id,
            order_id=None,
            creditor_id=reader.tenant,
            ip=reader.ip,
        )
        await uow.commit()
    return await bureau.search_companies(" ".join(name.split()))
