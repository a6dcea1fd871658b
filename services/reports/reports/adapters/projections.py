"""The read model of cases and ledger events: batches, cases, settlements and their lines."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.orm import (
    batches,
    cases,
    documents,
    organisations,
    projection_progress,
    settlement_lines,
    settlements,
)


class ProjectionStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_cases(self, rows: Sequence[dict[str, Any]]) -> list[uuid.UUID]:
        """Insert cases not yet known; the batches of the ones inserted now."""
        if not rows:
            return []
        result = await self.session.execute(
            insert(cases).values(list(rows)).on_conflict_do_nothing().returning(cases.c.batch_id)
        )
        return sorted(set(result.scalars()))

    async def add_batch(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(batches).values(**row).on_conflict_do_nothing())

    async def add_settlement(self, row: dict[str, Any], lines: Sequence[dict[str, Any]]) -> bool:
        """Insert a settlement and its lines; False when it was known already."""
        result = await self.session.execute(
            insert(settlements)
            .values(**row)
            .on_conflict_do_nothing()
            .returning(settlements.c.settlement_id)
        )
        if result.first() is None:
            return False
        if lines:
            await self.session.execute(insert(settlement_lines), list(lines))
        return True

    async def batches_ready(self, batch_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
        """Of these batches, those whose every case is in the read model and that have no
        order confirmation yet."""
        ids = list(batch_ids)
        if not ids:
            return []
        projected = (
            select(func.count())
            .select_from(cases)
            .where(cases.c.batch_id == batches.c.batch_id)
            .scalar_subquery()
        )
        issued = (
            select(documents.c.document_id)
            .where(
                documents.c.kind == "order_confirmation",
                documents.c.source_id == batches.c.batch_id,
            )
            .exists()
        )
        result = await self.session.execute(
            select(batches.c.batch_id).where(
                batches.c.batch_id.in_(ids), projected >= batches.c.case_count, ~issued
            )
        )
        return sorted(result.scalars())

    async def batch(self, batch_id: uuid.UUID) -> Row[Any] | None:
        return (
            await self.session.execute(select(batches).where(batches.c.batch_id == batch_id))
        ).first()

    async def cases_of_batch(self, batch_id: uuid.UUID) -> list[Row[Any]]:
        result = await self.session.execute(
            select(cases).where(cases.c.batch_id == batch_id).order_by(cases.c.case_number)
        )
        return list(result.all())

    async def cases_by_id(self, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
        ids = list(set(case_ids))
        if not ids:
            return {}
        result = await self.session.execute(select(cases).where(cases.c.case_id.in_(ids)))
        return {row.case_id: row for row in result}

    async def settlement(self, settlement_id: uuid.UUID) -> Row[Any] | None:
        return (
            await self.session.execute(
                select(settlements).where(settlements.c.settlement_id == settlement_id)
            )
        ).first()

    async def lines_of(self, settlement_id: uuid.UUID) -> list[Row[Any]]:
        result = await self.session.execute(
            select(settlement_lines)
            .where(settlement_lines.c.settlement_id == settlement_id)
            .order_by(settlement_lines.c.line_id)
        )
        return list(result.all())

    async def organisation(self, organisation_id: uuid.UUID) -> Row[Any] | None:
        return (
            await self.session.execute(
                select(organisations).where(organisations.c.organisation_id == organisation_id)
            )
        ).first()

    async def agency(self) -> Row[Any] | None:
        """The agency's organisation (the oldest registered, should there be several)."""
        return (
            await self.session.execute(
                select(organisations)
                .where(organisations.c.kind == "agency")
                .order_by(organisations.c.registered_at)
                .limit(1)
            )
        ).first()

    async def record_progress(self, projection: str, occurred_at: datetime) -> None:
        """Note the newest event a projection applied (for its lag metric)."""
        stmt = insert(projection_progress).values(
            projection=projection, last_occurred_at=occurred_at, last_applied_at=func.now()
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[projection_progress.c.projection],
                set_={
                    "last_occurred_at": func.greatest(
                        projection_progress.c.last_occurred_at, stmt.excluded.last_occurred_at
                    ),
                    "last_applied_at": stmt.excluded.last_applied_at,
                },
            )
        )
