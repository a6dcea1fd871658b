"""Payments, their allocations, the unmatched queue and imported bank files."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Row,
    String,
    Uuid,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.orm import bank_files, payment_allocations, payments, unmatched_payments
from ledger.domain.components import Component

_ADD_PAYMENTS = text(
    """
    INSERT INTO payments (payment_id, source, transaction_id, bank_file_id, kid, amount_ore,
                          currency, value_date, status, case_id, designation, received_at)
    SELECT p.payment_id, p.source, p.transaction_id, p.bank_file_id, p.kid, p.amount_ore,
           p.currency, p.value_date, p.status, p.case_id,
           nullif(string_to_array(p.designation, ','), '{}'), :received_at
      FROM unnest(:payment_id, :source, :transaction_id, :bank_file_id, :kid, :amount_ore,
                  :currency, :value_date, :status, :case_id, :designation)
        AS p(payment_id, source, transaction_id, bank_file_id, kid, amount_ore, currency,
             value_date, status, case_id, designation)
    ON CONFLICT (transaction_id) DO NOTHING
    RETURNING payment_id
    """
).bindparams(
    bindparam("payment_id", type_=ARRAY(Uuid)),
    bindparam("source", type_=ARRAY(String)),
    bindparam("transaction_id", type_=ARRAY(String)),
    bindparam("bank_file_id", type_=ARRAY(Uuid)),
    bindparam("kid", type_=ARRAY(String)),
    bindparam("amount_ore", type_=ARRAY(BigInteger)),
    bindparam("currency", type_=ARRAY(String)),
    bindparam("value_date", type_=ARRAY(Date)),
    bindparam("status", type_=ARRAY(String)),
    bindparam("case_id", type_=ARRAY(Uuid)),
    bindparam("designation", type_=ARRAY(String)),
    bindparam("received_at", type_=DateTime(timezone=True)),
)

_ALLOCATION_COLUMNS = (
    "payment_id", "case_id", "creditor_id", "value_date", "kind", "principal_ore",
    "interest_ore", "reminder_fees_ore", "collection_fees_ore", "court_fees_ore",
    "overpaid_ore", "entry_id",
)  # fmt: skip
_ALLOCATION_TYPES = {
    "payment_id": Uuid,
    "case_id": Uuid,
    "creditor_id": Uuid,
    "value_date": Date,
    "kind": String,
    "entry_id": Uuid,
}

_ADD_ALLOCATIONS = text(
    """
    INSERT INTO payment_allocations (payment_id, case_id, creditor_id, value_date, kind,
        principal_ore, interest_ore, reminder_fees_ore, collection_fees_ore, court_fees_ore,
        overpaid_ore, entry_id, allocation_order)
    SELECT a.payment_id, a.case_id, a.creditor_id, a.value_date, a.kind, a.principal_ore,
           a.interest_ore, a.reminder_fees_ore, a.collection_fees_ore, a.court_fees_ore,
           a.overpaid_ore, a.entry_id, string_to_array(a.allocation_order, ',')
      FROM unnest(:payment_id, :case_id, :creditor_id, :value_date, :kind, :principal_ore,
                  :interest_ore, :reminder_fees_ore, :collection_fees_ore, :court_fees_ore,
                  :overpaid_ore, :entry_id, :allocation_order)
        AS a(payment_id, case_id, creditor_id, value_date, kind, principal_ore, interest_ore,
             reminder_fees_ore, collection_fees_ore, court_fees_ore, overpaid_ore, entry_id,
             allocation_order)
    """
).bindparams(
    *(bindparam(c, type_=ARRAY(_ALLOCATION_TYPES.get(c, BigInteger))) for c in _ALLOCATION_COLUMNS),
    bindparam("allocation_order", type_=ARRAY(String)),
)


LIVE_ALLOCATION_KINDS = ("payment", "rebooked")
"""Allocation rows that split a payment: the first, and each one booked again after a
re-allocation (the one before it is negated by an ``undone`` row)."""


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
        """Store payments whose bank transaction is new; the ids of those stored.

        One statement for the batch (arrays, ``unnest``), whatever its size.
        """
        if not records:
            return set()
        result = await self.session.execute(
            _ADD_PAYMENTS,
            {
                "payment_id": [r.payment_id for r in records],
                "source": [r.source for r in records],
                "transaction_id": [r.transaction_id for r in records],
                "bank_file_id": [r.bank_file_id for r in records],
                "kid": [r.kid for r in records],
                "amount_ore": [r.amount_ore for r in records],
                "currency": [r.currency for r in records],
                "value_date": [r.value_date for r in records],
                "status": [r.status for r in records],
                "case_id": [r.case_id for r in records],
                "designation": [",".join(r.designation) for r in records],
                "received_at": records[0].received_at,
            },
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
        values: dict[str, Any] = {"status": status, "updated_at": func.now()}
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
        """Store allocation rows (one statement for the batch)."""
        if rows:
            await self.session.execute(
                _ADD_ALLOCATIONS,
                {
                    **{name: [row[name] for row in rows] for name in _ALLOCATION_COLUMNS},
                    "allocation_order": [",".join(row["allocation_order"]) for row in rows],
                },
            )

    async def allocation_of(self, payment_id: uuid.UUID) -> AllocationRecord | None:
        """The allocation of a payment in force (its first, or its latest after a
        re-allocation; not its reversal)."""
        row = (
            await self.session.execute(
                select(payment_allocations)
                .where(
                    payment_allocations.c.payment_id == payment_id,
                    payment_allocations.c.kind.in_(LIVE_ALLOCATION_KINDS),
                )
                .order_by(payment_allocations.c.id.desc())
                .limit(1)
            )
        ).first()
        return _allocation(row) if row else None

    async def allocations_with_payments(
        self, case_id: uuid.UUID, entry_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[AllocationRecord, PaymentRecord | None]]:
        """The allocation rows of a case's booked entries with their payments, by entry id
        (one statement, by the case's index)."""
        if not entry_ids:
            return {}
        a, p = payment_allocations, payments
        columns = [c.label(f"p_{c.name}") for c in p.c]
        rows = await self.session.execute(
            select(a, *columns)
            .outerjoin(p, p.c.payment_id == a.c.payment_id)
            .where(a.c.case_id == case_id, a.c.entry_id.in_(entry_ids))
        )
        found: dict[uuid.UUID, tuple[AllocationRecord, PaymentRecord | None]] = {}
        for row in rows:
            record = (
                PaymentRecord(
                    payment_id=row.p_payment_id,
                    source=row.p_source,
                    transaction_id=row.p_transaction_id,
                    kid=row.p_kid,
                    amount_ore=row.p_amount_ore,
                    currency=row.p_currency,
                    value_date=row.p_value_date,
                    status=row.p_status,
                    received_at=row.p_received_at,
                    case_id=row.p_case_id,
                    bank_file_id=row.p_bank_file_id,
                    designation=tuple(row.p_designation or ()),
                )
                if row.p_payment_id is not None
                else None
            )
            found[row.entry_id] = (_allocation(row), record)
        return found

    # -- the unmatched queue -----------------------------------------------------------------

    async def add_unmatched(
        self,
        items: Iterable[tuple[uuid.UUID, str, Sequence[uuid.UUID]]],
        payers: Mapping[uuid.UUID, Mapping[str, str | None]] | None = None,
    ) -> None:
        """Queue payments for a case handler, with what the bank file said of the payer
        (name, account, message: personal data, kept only while the payment waits)."""
        rows = [
            {
                "payment_id": pid,
                "reason": reason,
                "candidate_case_ids": list(candidates),
                "payer_name": None,
                "payer_account": None,
                "message": None,
                **(payers or {}).get(pid, {}),
            }
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
                payer_name=None,
                payer_account=None,
                message=None,
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
