"""Settlements, their lines, payout files and credit-report charges."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from contracts.ledger import SettledLine
from sqlalchemy import Row, and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ledger.adapters.orm import (
    credit_report_charges,
    payment_allocations,
    payout_files,
    settlement_lines,
    settlement_number,
    settlements,
)
from ledger.domain.components import Component
from ledger.domain.settlement import Collected, CreditReportCharge, SettlementDraft


async def unconfirmed_settlements(conn: AsyncConnection) -> tuple[int, float]:
    """How many settlements wait for the bank's confirmation, and the oldest one's age in
    seconds (0 when none): a settlement stays ``pending`` until the pain.002 accepts it."""
    query = select(
        func.count(),
        func.coalesce(func.extract("epoch", func.now() - func.min(settlements.c.created_at)), 0),
    ).where(settlements.c.status == "pending")
    count, age = (await conn.execute(query)).one()
    return int(count), float(age)


class SettlementStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def creditors_with_unsettled(self, period_end: date) -> list[uuid.UUID]:
        """Creditors with allocations or charges up to ``period_end`` not yet settled."""
        allocations = (
            select(payment_allocations.c.creditor_id)
            .outerjoin(
                settlement_lines,
                and_(
                    settlement_lines.c.allocation_id == payment_allocations.c.id,
                    settlement_lines.c.active,
                ),
            )
            .where(payment_allocations.c.value_date <= period_end, settlement_lines.c.id.is_(None))
        )
        charges = select(credit_report_charges.c.creditor_id).where(
            credit_report_charges.c.settlement_id.is_(None),
            credit_report_charges.c.purchased_on <= period_end,
        )
        result = await self.session.execute(allocations.union(charges))
        return sorted(set(result.scalars()))

    async def unsettled(
        self, creditor_id: uuid.UUID, period_end: date
    ) -> tuple[list[Collected], list[CreditReportCharge]]:
        a = payment_allocations
        rows = await self.session.execute(
            select(a)
            .outerjoin(
                settlement_lines,
                and_(settlement_lines.c.allocation_id == a.c.id, settlement_lines.c.active),
            )
            .where(
                a.c.creditor_id == creditor_id,
                a.c.value_date <= period_end,
                settlement_lines.c.id.is_(None),
            )
            .order_by(a.c.id)
        )
        collected = [
            Collected(
                allocation_id=row.id,
                payment_id=row.payment_id,
                case_id=row.case_id,
                value_date=row.value_date,
                amounts={c: getattr(row, f"{c.value}_ore") for c in Component},
            )
            for row in rows
        ]
        c = credit_report_charges
        charge_rows = await self.session.execute(
            select(c).where(
                c.c.creditor_id == creditor_id,
                c.c.settlement_id.is_(None),
                c.c.purchased_on <= period_end,
            )
        )
        charges = [
            CreditReportCharge(r.charge_id, r.amount_ore, r.purchased_on) for r in charge_rows
        ]
        return collected, charges

    async def lock_creditor(self, creditor_id: uuid.UUID) -> None:
        """Serialise settlement runs of one creditor (transaction-scoped)."""
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"settlement:{creditor_id}"},
        )

    async def active_for_period(self, creditor_id: uuid.UUID, period_end: date) -> Row[Any] | None:
        return (
            await self.session.execute(
                select(settlements).where(
                    settlements.c.creditor_id == creditor_id,
                    settlements.c.period_end == period_end,
                    settlements.c.status != "voided",
                )
            )
        ).first()

    async def next_number(self) -> str:
        number = await self.session.scalar(select(settlement_number.next_value()))
        return f"AV-{int(number or 0):07d}"

    async def add(
        self,
        *,
        settlement_id: uuid.UUID,
        number: str,
        draft: SettlementDraft,
        status: str,
        reserve_entry_id: uuid.UUID | None,
        created_at: datetime,
        created_by: uuid.UUID | None,
    ) -> None:
        await self.session.execute(
            insert(settlements).values(
                settlement_id=settlement_id,
                number=number,
                creditor_id=draft.creditor_id,
                period_end=draft.period_end,
                status=status,
                line_count=len(draft.lines),
                collected_ore=draft.collected_ore,
                commission_ore=draft.commission_ore,
                credit_report_charges_ore=draft.credit_report_charges_ore,
                agency_fees_ore=draft.agency_fees_ore,
                payout_ore=draft.payout_ore,
                reserve_entry_id=reserve_entry_id,
                created_at=created_at,
                created_by=created_by,
            )
        )
        if draft.lines:
            await self.session.execute(
                insert(settlement_lines),
                [
                    {
                        "settlement_id": settlement_id,
                        "allocation_id": line.allocation_id,
                        "payment_id": line.payment_id,
                        "case_id": line.case_id,
                        "value_date": line.value_date,
                        "principal_ore": line.principal_ore,
                        "interest_ore": line.interest_ore,
                        "reminder_fees_ore": line.reminder_fees_ore,
                        "agency_fees_ore": line.agency_fees_ore,
                        "commission_ore": line.commission_ore,
                        "net_ore": line.net_ore,
                    }
                    for line in draft.lines
                ],
            )
        if draft.charges:
            await self.session.execute(
                update(credit_report_charges)
                .where(credit_report_charges.c.charge_id.in_([c.charge_id for c in draft.charges]))
                .values(settlement_id=settlement_id)
            )

    async def settled_lines(self, settlement_id: uuid.UUID) -> list[SettledLine]:
        """A settlement's lines for its event, the agency's fees split into collection and
        court fees (from the allocation each line settles)."""
        line, a = settlement_lines, payment_allocations
        rows = await self.session.execute(
            select(
                line.c.allocation_id,
                line.c.payment_id,
                line.c.case_id,
                line.c.value_date,
                line.c.principal_ore,
                line.c.interest_ore,
                line.c.reminder_fees_ore,
                a.c.collection_fees_ore,
                a.c.court_fees_ore,
                line.c.commission_ore,
                line.c.net_ore,
            )
            .join(a, a.c.id == line.c.allocation_id)
            .where(line.c.settlement_id == settlement_id)
            .order_by(line.c.value_date, line.c.allocation_id)
        )
        return [
            SettledLine(
                line_id=r.allocation_id,
                payment_id=r.payment_id,
                case_id=r.case_id,
                value_date=r.value_date,
                principal_ore=r.principal_ore,
                interest_ore=r.interest_ore,
                reminder_fees_ore=r.reminder_fees_ore,
                collection_fees_ore=r.collection_fees_ore,
                court_fees_ore=r.court_fees_ore,
                commission_ore=r.commission_ore,
                net_ore=r.net_ore,
            )
            for r in rows
        ]

    async def get(self, settlement_id: uuid.UUID, *, lock: bool = False) -> Row[Any] | None:
        query = select(settlements).where(settlements.c.settlement_id == settlement_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).first()

    async def by_end_to_end(self, end_to_end_id: str, *, lock: bool = False) -> Row[Any] | None:
        query = select(settlements).where(settlements.c.payout_end_to_end_id == end_to_end_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).first()

    async def attach_payout(
        self, settlement_ids: Sequence[uuid.UUID], message_id: str, end_to_end: dict[uuid.UUID, str]
    ) -> None:
        for settlement_id in settlement_ids:
            await self.session.execute(
                update(settlements)
                .where(settlements.c.settlement_id == settlement_id)
                .values(
                    payout_message_id=message_id, payout_end_to_end_id=end_to_end[settlement_id]
                )
            )

    async def add_payout_file(
        self, *, message_id: str, period_end: date, count: int, total_ore: int, document: str
    ) -> None:
        await self.session.execute(
            insert(payout_files).values(
                message_id=message_id,
                period_end=period_end,
                payout_count=count,
                total_ore=total_ore,
                document=document,
            )
        )

    async def payout_file(self, message_id: str) -> Row[Any] | None:
        return (
            await self.session.execute(
                select(payout_files).where(payout_files.c.message_id == message_id)
            )
        ).first()

    async def mark_posted(self, settlement_id: uuid.UUID, paid_entry_id: uuid.UUID | None) -> None:
        await self.session.execute(
            update(settlements)
            .where(settlements.c.settlement_id == settlement_id)
            .values(status="posted", paid_entry_id=paid_entry_id, completed_at=func.now())
        )

    async def mark_voided(self, settlement_id: uuid.UUID, reason: str) -> None:
        await self.session.execute(
            update(settlements)
            .where(settlements.c.settlement_id == settlement_id)
            .values(status="voided", voided_at=func.now(), void_reason=reason)
        )
        await self.session.execute(
            update(settlement_lines)
            .where(settlement_lines.c.settlement_id == settlement_id)
            .values(active=False)
        )
        await self.session.execute(
            update(credit_report_charges)
            .where(credit_report_charges.c.settlement_id == settlement_id)
            .values(settlement_id=None)
        )

    async def add_charge(
        self, *, charge_id: uuid.UUID, creditor_id: uuid.UUID, amount_ore: int, purchased_on: date
    ) -> bool:
        result = await self.session.execute(
            insert(credit_report_charges)
            .values(
                charge_id=charge_id,
                creditor_id=creditor_id,
                amount_ore=amount_ore,
                purchased_on=purchased_on,
            )
            .on_conflict_do_nothing()
            .returning(credit_report_charges.c.charge_id)
        )
        return result.first() is not None

    async def of_payout_file(self, message_id: str) -> list[tuple[uuid.UUID, str]]:
        """``(settlement, end-to-end id)`` of the payouts in one payout file."""
        result = await self.session.execute(
            select(settlements.c.settlement_id, settlements.c.payout_end_to_end_id).where(
                settlements.c.payout_message_id == message_id
            )
        )
        return [(sid, e2e) for sid, e2e in result if e2e]
