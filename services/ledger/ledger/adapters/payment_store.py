"""Payments, their allocations, the unmatched queue and imported bank files."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.orm import bank_files, payment_allocations, payments, unmatched_payments
from ledger.domain.components import Component


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    payment_id: uuid.UUID
    source: str
    transaction_id: str
    kid: str | None
    amount_ore: int
    currency: str
    value_date: date
    status: str
    received_at: datetime
    case_id: uuid.UUID | None = None
    bank_file_id: uuid.UUID | None = None
    designation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AllocationRecord:
    id: int
    payment_id: uuid.UUID | None
    case_id: uuid.UUID
    creditor_id: uuid.UUID
    value_date: date
    kind: str
    amounts: Mapping[Component, int]
    overpaid_ore: int
    entry_id: uuid.UUID


def _payment(row: Row[Any]) -> PaymentRecord:
    return PaymentRecord(
        payment_id=row.payment_id,
        source=row.source,
        transaction_id=row.transaction_id,
        kid=row.kid,
        amount_ore=row.amount_ore,
        currency=row.currency,
        value_date=row.value_date,
        status=row.status,
        received_at=row.received_at,
        case_id=row.case_id,
        bank_file_id=row.bank_file_id,
        designation=tuple(row.designation or ()),
    )


def _allocation(row: Row[Any]) -> AllocationRecord:
    return AllocationRecord(
        id=row.id,
        payment_id=row.payment_id,
        case_id=row.case_id,
        creditor_id=row.creditor_id,
        value_date=row.value_date,
        kind=row.kind,
        amounts={c: getattr(row, f"{c.value}_ore") for c in Component},
        overpaid_ore=row.overpaid_ore,
        entry_id=row.entry_id,
    )


class PaymentStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_new(self, records: Sequence[PaymentRecord]) -> set[uuid.UUID]:
        """Store payments whose bank transaction is new; the ids of those stored."""
        if not records:
            return set()
        result = await self.session.execute(
            insert(payments)
            .on_conflict_do_nothing(index_elements=[payments.c.transaction_id])
            .returning(payments.c.payment_id),
            [
                {
                    "payment_id": r.payment_id,
                    "source": r.source,
                    "transaction_id": r.transaction_id,
                    "bank_file_id": r.bank_file_id,
                    "kid": r.kid,
                    "amount_ore": r.amount_ore,
                    "currency": r.currency,
                    "value_date": r.value_date,
                    "status": r.status,
                    "case_id": r.case_id,
                    "designation": list(r.designation) or None,
                    "received_at": r.received_at,
                }
                for r in records
            ],
        )
        return set(result.scalars())

    async def by_transaction(self, transaction_id: str) -> PaymentRecord | None:
        row = (
            await self.session.execute(
                select(payments).where(payments.c.transaction_id == transaction_id)
            )
        ).first()
        return _payment(row) if row else None

    async def get(self, payment_id: uuid.UUID, *, lock: bool = False) -> PaymentRecord | None:
        query = select(payments).where(payments.c.payment_id == payment_id)
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return _payment(row) if row else None

    async def set_status(
        self, payment_id: uuid.UUID, status: str, *, case_id: uuid.UUID | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status}
        if case_id is not None:
            values["case_id"] = case_id
        await self.session.execute(
            update(payments).where(payments.c.payment_id == payment_id).values(**values)
        )

    async def recent_for_kid(self, kid: str, amount_ore: int) -> list[PaymentRecord]:
        """Allocated payments of ``amount_ore`` on ``kid`` (a bank reversal's candidates)."""
        result = await self.session.execute(
            select(payments)
            .where(
                payments.c.kid == kid,
                payments.c.amount_ore == amount_ore,
                payments.c.status == "allocated",
            )
            .order_by(payments.c.value_date.desc())
        )
        return [_payment(r) for r in result]

    # -- allocations -------------------------------------------------------------------------

    async def add_allocations(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(payment_allocations), list(rows))

    async def allocation_of(self, payment_id: uuid.UUID) -> AllocationRecord | None:
        """The allocation of a payment (not its reversal)."""
        row = (
            await self.session.execute(
                select(payment_allocations).where(
                    payment_allocations.c.payment_id == payment_id,
                    payment_allocations.c.kind == "payment",
                )
            )
        ).first()
        return _allocation(row) if row else None

    # -- the unmatched queue -----------------------------------------------------------------

    async def add_unmatched(
        self, items: Iterable[tuple[uuid.UUID, str, Sequence[uuid.UUID]]]
    ) -> None:
        rows = [
            {"payment_id": pid, "reason": reason, "candidate_case_ids": list(candidates)}
            for pid, reason, candidates in items
        ]
        if rows:
            await self.session.execute(insert(unmatched_payments), rows)

    async def unmatched(self, payment_id: uuid.UUID, *, lock: bool = False) -> Row[Any] | None:
        query = select(unmatched_payments).where(unmatched_payments.c.payment_id == payment_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).first()

    async def resolve(
        self,
        payment_id: uuid.UUID,
        *,
        resolution: str,
        case_id: uuid.UUID | None,
        by: uuid.UUID,
    ) -> None:
        await self.session.execute(
            update(unmatched_payments)
            .where(unmatched_payments.c.payment_id == payment_id)
            .values(
                status="resolved",
                resolution=resolution,
                resolved_case_id=case_id,
                resolved_by=by,
                resolved_at=func.now(),
            )
        )

    # -- bank files --------------------------------------------------------------------------

    async def bank_file(self, sha256: str) -> Row[Any] | None:
        return (
            await self.session.execute(select(bank_files).where(bank_files.c.sha256 == sha256))
        ).first()

    async def add_bank_file(
        self,
        *,
        file_id: uuid.UUID,
        sha256: str,
        source_format: str,
        bank_reference: str | None,
        received_at: datetime,
        uploaded_by: uuid.UUID | None,
        summary: Mapping[str, Any],
    ) -> bool:
        """Record an imported file; False when the same file was imported before."""
        result = await self.session.execute(
            insert(bank_files)
            .values(
                file_id=file_id,
                sha256=sha256,
                format=source_format,
                bank_reference=bank_reference,
                received_at=received_at,
                uploaded_by=uploaded_by,
                summary=dict(summary),
            )
            .on_conflict_do_nothing(index_elements=[bank_files.c.sha256])
            .returning(bank_files.c.file_id)
        )
        return result.first() is not None
