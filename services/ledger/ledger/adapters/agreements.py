"""Creditor agreements (defaults for a creditor that has none stored)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.orm import creditor_agreements
from ledger.domain.agreements import CreditorAgreement


class AgreementStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_many(
        self, creditor_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, CreditorAgreement]:
        ids = list(set(creditor_ids))
        found = {i: CreditorAgreement(creditor_id=i) for i in ids}
        for creditor_id, (agreement, _) in (await self.stored(ids)).items():
            found[creditor_id] = agreement
        return found

    async def stored(
        self, creditor_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[CreditorAgreement, datetime]]:
        """The agreements stored for these creditors, with when each was last set (a
        creditor without one is left out: the defaults apply to it)."""
        ids = list(set(creditor_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(creditor_agreements).where(creditor_agreements.c.creditor_id.in_(ids))
        )
        return {row.creditor_id: (_agreement(row), row.updated_at) for row in rows}

    async def get(self, creditor_id: uuid.UUID) -> CreditorAgreement:
        return (await self.get_many([creditor_id]))[creditor_id]

    async def put(self, agreement: CreditorAgreement) -> None:
        values = {
            "allocation_order": list(agreement.allocation_order),
            "commission_percent": agreement.commission_percent,
            "vat_deductible": agreement.vat_deductible,
            "claims_standardkompensasjon": agreement.claims_standardkompensasjon,
            "payout_account": agreement.payout_account,
            "payout_name": agreement.payout_name,
            "updated_at": func.now(),
        }
        await self.session.execute(
            insert(creditor_agreements)
            .values(creditor_id=agreement.creditor_id, **values)
            .on_conflict_do_update(index_elements=[creditor_agreements.c.creditor_id], set_=values)
        )


def _agreement(row: Any) -> CreditorAgreement:
    return CreditorAgreement(
        creditor_id=row.creditor_id,
        allocation_order=tuple(row.allocation_order),
        commission_percent=row.commission_percent,
        vat_deductible=row.vat_deductible,
        claims_standardkompensasjon=row.claims_standardkompensasjon,
        payout_account=row.payout_account,
        payout_name=row.payout_name,
    )
