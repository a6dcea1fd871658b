"""Rate rows in the database: the confirmed ones as a :class:`RateBook`, seeding, adding and
confirming."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.orm import rates
from ledger.adapters.rate_files import shipped_selection
from ledger.domain.rates import RateBook, RateRow, SeedRate


def _row(record: Row[Any]) -> RateRow:
    return RateRow(
        id=record.id,
        kind=record.kind,
        effective_from=record.effective_from,
        value=record.value,
        unit=record.unit,
        parameter=record.parameter,
        source_url=record.source_url,
        status=record.status,
    )


class RateStore:
    """Rate rows on one transaction. :meth:`book` reads a kind's rows once per transaction
    (a bank file's payments and their balance events use the same book); a row added,
    confirmed or seeded through the store, or :meth:`forget`, reads them again."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._books: dict[tuple[str, ...], RateBook] = {}

    def forget(self) -> None:
        """Read the rows again at the next :meth:`book` (a new transaction, a row changed)."""
        self._books.clear()

    async def book(self, *kinds: str) -> RateBook:
        """The confirmed rows (of ``kinds``, or all) as a rate book, with the shipped rules
        for which date decides which version applies."""
        key = tuple(sorted(set(kinds)))
        found = self._books.get(key)
        if found is not None:
            return found
        query = select(rates).where(rates.c.status == "confirmed")
        if kinds:
            query = query.where(rates.c.kind.in_(kinds))
        found = RateBook((_row(r) for r in await self.session.execute(query)), shipped_selection())
        self._books[key] = found
        return found

    async def list(
        self, *, kind: str | None = None, status: str | None = None, on: date | None = None
    ) -> list[RateRow]:
        query = select(rates).order_by(rates.c.kind, rates.c.parameter, rates.c.effective_from)
        if kind:
            query = query.where(rates.c.kind == kind)
        if status:
            query = query.where(rates.c.status == status)
        if on:
            query = query.where(rates.c.effective_from <= on)
        return [_row(r) for r in await self.session.execute(query)]

    async def get(self, rate_id: int, *, lock: bool = False) -> RateRow | None:
        query = select(rates).where(rates.c.id == rate_id)
        if lock:
            query = query.with_for_update()
        record = (await self.session.execute(query)).first()
        return _row(record) if record else None

    async def seed(self, rows: Sequence[SeedRate]) -> int:
        """Insert rows of the shipped files not loaded before; how many were new."""
        self.forget()
        if not rows:
            return 0
        result = await self.session.execute(
            insert(rates)
            .on_conflict_do_nothing(
                index_elements=[rates.c.kind, rates.c.effective_from, rates.c.parameter],
                index_where=rates.c.origin == "seed",
            )
            .returning(rates.c.id),
            [
                {
                    "kind": r.kind,
                    "effective_from": r.effective_from,
                    "parameter": r.parameter,
                    "value": r.value,
                    "unit": r.unit,
                    "source_url": r.source_url,
                    "status": r.status,
                    "origin": "seed",
                }
                for r in rows
            ],
        )
        return len(result.all())

    async def add(self, row: SeedRate, *, created_by: uuid.UUID) -> RateRow:
        """A confirmed row added by an administrator (a new version of its kind and date)."""
        self.forget()
        record = (
            await self.session.execute(
                insert(rates)
                .values(
                    kind=row.kind,
                    effective_from=row.effective_from,
                    parameter=row.parameter,
                    value=row.value,
                    unit=row.unit,
                    source_url=row.source_url,
                    status="confirmed",
                    origin="admin",
                    created_by=created_by,
                    confirmed_at=func.now(),
                    confirmed_by=created_by,
                )
                .returning(rates)
            )
        ).one()
        return _row(record)

    async def confirm(self, rate_id: int, *, by: uuid.UUID, source_url: str) -> RateRow:
        self.forget()
        record = (
            await self.session.execute(
                update(rates)
                .where(rates.c.id == rate_id)
                .values(
                    status="confirmed",
                    confirmed_at=func.now(),
                    confirmed_by=by,
                    source_url=source_url,
                )
                .returning(rates)
            )
        ).one()
        return _row(record)
