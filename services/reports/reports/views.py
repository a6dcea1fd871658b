"""Read side of the reports service: organisations, documents."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reports.adapters.document_store import DocumentFilter, DocumentStore
from reports.adapters.orm import organisations
from reports.domain.errors import InvalidCursor


async def organisation(
    session_factory: async_sessionmaker[AsyncSession], organisation_id: uuid.UUID
) -> dict[str, Any] | None:
    async with session_factory() as session:
        row = (
            (
                await session.execute(
                    select(organisations).where(organisations.c.organisation_id == organisation_id)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def encode_cursor(issued_at: datetime, document_id: uuid.UUID) -> str:
    raw = f"{issued_at.isoformat()}|{document_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, document_id = raw.partition("|")
        issued_at = datetime.fromisoformat(at)
        if issued_at.tzinfo is None:
            raise ValueError("naive")
        return issued_at, uuid.UUID(document_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc


async def documents(
    session_factory: async_sessionmaker[AsyncSession],
    f: DocumentFilter,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of documents, newest first, and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor else None
    async with session_factory() as session:
        rows = await DocumentStore(session).page(f, after=after, limit=limit + 1)
        items = [dict(row._mapping) for row in rows[:limit]]
        await with_corrections(session, items)
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last["issued_at"], last["document_id"])
    return items, next_cursor


async def document(
    session_factory: async_sessionmaker[AsyncSession],
    document_id: uuid.UUID,
    tenant: uuid.UUID | None,
) -> dict[str, Any] | None:
    async with session_factory() as session:
        return await document_in(session, document_id, tenant)


async def document_in(
    session: AsyncSession, document_id: uuid.UUID, tenant: uuid.UUID | None
) -> dict[str, Any] | None:
    """:func:`document`, read in a transaction already open (one that issues it)."""
    row = await DocumentStore(session).get(document_id, tenant)
    if row is None:
        return None
    items = [dict(row._mapping)]
    await with_corrections(session, items)
    return items[0]


async def with_corrections(session: AsyncSession, items: list[dict[str, Any]]) -> None:
    """Add to each document its correction: ``corrected_by`` on a statement credited,
    ``corrects`` on its credit note and replacement."""
    found = await DocumentStore(session).corrections_touching([i["document_id"] for i in items])
    by_original = {c.original_document_id: c for c in found}
    by_new = {c.credit_note_document_id: c for c in found} | {
        c.replacement_document_id: c for c in found if c.replacement_document_id
    }
    for item in items:
        done = by_original.get(item["document_id"])
        if done is not None and item["kind"] == "settlement_statement":
            item["corrected_by"] = {
                "correction_id": done.correction_id,
                "reason": done.reason,
                "credit_note_document_id": done.credit_note_document_id,
                "replacement_document_id": done.replacement_document_id,
                "corrected_at": done.corrected_at,
            }
        made = by_new.get(item["document_id"])
        if made is not None:
            item["corrects"] = {
                "correction_id": made.correction_id,
                "reason": made.reason,
                "document_id": made.original_document_id,
                "number": made.original_number,
            }
