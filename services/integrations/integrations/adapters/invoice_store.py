"""The ERP invoices handed over: one row per (connection, invoice id), set-based SQL."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from integrations.adapters.orm import erp_invoices


@dataclass(frozen=True)
class Known:
    invoice_id: int
    state: str
    erp_version: int
    due_date: date
    outstanding_ore: int
    handed_over_ore: int
    reported_ore: int
    reported_credit_ore: int
    case_id: uuid.UUID | None
    invoice_number: str


async def known(
    session: AsyncSession, connection_id: uuid.UUID, invoice_ids: Collection[int]
) -> dict[int, Known]:
    if not invoice_ids:
        return {}
    t = erp_invoices.c
    rows = await session.execute(
        select(
            t.invoice_id,
            t.state,
            t.erp_version,
            t.due_date,
            t.outstanding_ore,
            t.handed_over_ore,
            t.reported_ore,
            t.reported_credit_ore,
            t.case_id,
            t.invoice_number,
        ).where(t.connection_id == connection_id, t.invoice_id.in_(list(invoice_ids)))
    )
    return {r.invoice_id: Known(**r._mapping) for r in rows}


async def hand_over(session: AsyncSession, rows: Sequence[dict[str, object]]) -> set[int]:
    """Insert the handed-over invoices; the ids actually inserted (a concurrent sync's are
    left out: the primary key makes each invoice a case once)."""
    if not rows:
        return set()
    inserted = await session.execute(
        insert(erp_invoices)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["connection_id", "invoice_id"])
        .returning(erp_invoices.c.invoice_id)
    )
    return set(inserted.scalars())


async def seen_again(session: AsyncSession, rows: Sequence[dict[str, object]]) -> None:
    """Record a newer ERP version of handed-over invoices (one statement for all)."""
    if not rows:
        return
    t = erp_invoices.c
    await session.execute(
        update(erp_invoices)
        .where(t.connection_id == bindparam("b_connection"), t.invoice_id == bindparam("b_invoice"))
        .values(
            erp_version=bindparam("b_version"),
            due_date=bindparam("b_due"),
            outstanding_ore=bindparam("b_outstanding"),
            reported_ore=bindparam("b_reported"),
            reported_credit_ore=bindparam("b_reported_credit"),
            conflict=func.coalesce(bindparam("b_conflict"), t.conflict),
            updated_at=func.now(),
        )
        .execution_options(synchronize_session=False),
        list(rows),
    )


async def cases_registered(
    session: AsyncSession, registered: Sequence[tuple[uuid.UUID, str, uuid.UUID, str]]
) -> None:
    """``(creditor_id, creditor_reference, case_id, case_number)``: the invoices are cases."""
    if not registered:
        return
    t = erp_invoices.c
    await session.execute(
        update(erp_invoices)
        .where(
            t.creditor_id == bindparam("b_creditor"),
            t.creditor_reference == bindparam("b_reference"),
            t.case_id.is_(None),
        )
        .values(
            case_id=bindparam("b_case"),
            case_number=bindparam("b_number"),
            state="registered",
            error_fields=None,
            updated_at=func.now(),
        )
        .execution_options(synchronize_session=False),
        [
            {"b_creditor": cr, "b_reference": r, "b_case": c, "b_number": n}
            for cr, r, c, n in registered
        ],
    )


async def refused(
    session: AsyncSession, handover_id: uuid.UUID, refusals: Sequence[tuple[str, str]]
) -> None:
    """``(creditor_reference, fields)`` of a handover that cases did not register."""
    if not refusals:
        return
    t = erp_invoices.c
    await session.execute(
        update(erp_invoices)
        .where(
            t.handover_id == handover_id,
            t.creditor_reference == bindparam("b_reference"),
            t.case_id.is_(None),
        )
        .values(state="refused", error_fields=bindparam("b_fields"), updated_at=func.now())
        .execution_options(synchronize_session=False),
        [{"b_reference": r, "b_fields": f} for r, f in refusals],
    )


async def forget_refused(session: AsyncSession, connection_id: uuid.UUID, invoice_id: int) -> bool:
    """A refused invoice is handed over again at the next sync (the creditor fixed it)."""
    t = erp_invoices.c
    result = await session.execute(
        erp_invoices.delete().where(
            t.connection_id == connection_id, t.invoice_id == invoice_id, t.state == "refused"
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
