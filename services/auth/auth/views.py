"""Read side of the identity service."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.adapters.orm import organisations


async def organisation(
    session_factory: async_sessionmaker[AsyncSession], organisation_id: uuid.UUID
) -> dict[str, Any] | None:
    async with session_factory() as session:
        row = (
            (
                await session.execute(
                    select(organisations).where(organisations.c.id == organisation_id)
                )
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_organisations(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    kind: str | None = None,
    search: str | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
    ids: Sequence[uuid.UUID] | None = None,
) -> list[dict[str, Any]]:
    """Organisations by name (then id); ``after`` an organisation's id for the next page.

    ``search`` matches part of the name (any case) or, written as digits, the start of the
    organisation number; ``ids`` keeps only those organisations.
    """
    query = select(organisations)
    if ids:
        query = query.where(organisations.c.id.in_(ids))
    if kind is not None:
        query = query.where(organisations.c.kind == kind)
    if search:
        compact = search.replace(" ", "")
        by_name = organisations.c.name.ilike(_like(search), escape="\\")
        if compact.isdigit():
            query = query.where(
                or_(by_name, organisations.c.organisation_number.startswith(compact))
            )
        else:
            query = query.where(by_name)
    if after is not None:
        last = select(organisations.c.name).where(organisations.c.id == after).scalar_subquery()
        query = query.where(
            tuple_(organisations.c.name, organisations.c.id) > tuple_(last, literal(after))
        )
    query = query.order_by(organisations.c.name, organisations.c.id).limit(limit)
    async with session_factory() as session:
        rows = (await session.execute(query)).mappings().all()
    return [dict(r) for r in rows]
