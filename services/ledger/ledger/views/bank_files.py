"""Bank files of incoming payments imported: newest first, and one with its payments."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.orm import bank_files, ledger_cases, payments, unmatched_payments

MAX_PAYMENTS = 1000
"""Payments listed with one file (its summary counts them all)."""

_COLUMNS = (
    bank_files.c.file_id.label("bank_file_id"),
    bank_files.c.format,
    bank_files.c.bank_reference,
    bank_files.c.received_at,
    bank_files.c.uploaded_by,
    bank_files.c.summary,
)


async def list_bank_files(
    session: AsyncSession, *, before: uuid.UUID | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Newest first (file ids are time-ordered); keyset: ``before`` a file id."""
    query = select(*_COLUMNS)
    if before is not None:
        query = query.where(bank_files.c.file_id < before)
    query = query.order_by(bank_files.c.file_id.desc()).limit(limit)
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def bank_file(session: AsyncSession, file_id: uuid.UUID) -> dict[str, Any] | None:
    """The file, and its payments in the order the summary names them."""
    row = (
        (await session.execute(select(*_COLUMNS).where(bank_files.c.file_id == file_id)))
        .mappings()
        .first()
    )
    if row is None:
        return None
    found = dict(row)
    ids = [uuid.UUID(str(i)) for i in found["summary"].get("payment_ids", [])[:MAX_PAYMENTS]]
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    if ids:
        query = (
            select(
                payments.c.payment_id,
                payments.c.source,
                payments.c.kid,
                payments.c.amount_ore,
                payments.c.currency,
                payments.c.value_date,
                payments.c.status,
                payments.c.case_id,
                payments.c.received_at,
                payments.c.updated_at,
                unmatched_payments.c.reason.label("unmatched_reason"),
                ledger_cases.c.case_number,
            )
            .outerjoin(unmatched_payments, unmatched_payments.c.payment_id == payments.c.payment_id)
            .outerjoin(ledger_cases, ledger_cases.c.case_id == payments.c.case_id)
            .where(payments.c.payment_id.in_(ids))
        )
        rows = {r["payment_id"]: dict(r) for r in (await session.execute(query)).mappings()}
    found["payments"] = [rows[i] for i in ids if i in rows]
    return found
