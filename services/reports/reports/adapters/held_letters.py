"""Letters held until the read model has what they must state (the forsinkelsesrente of the
day they are sent): the request is kept, and issued when a balance event brings it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.orm import held_letters

RATE_UNKNOWN = "interest-rate-unknown"
"""Why a letter is held: the ledger's balance of its sending day, with the rate in force,
is not in the read model yet."""


LETTER_INCOMPLETE = "letter-incomplete"
"""A held letter that, once its balance came, lacked content the law requires: kept for
ops (fix the data, then replay the request), never issued incomplete."""


class HeldLetters:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hold(self, request: dict[str, Any], *, reason: str) -> None:
        """Keep a letter's request (once per letter; asked again, it waits again)."""
        await self.session.execute(
            insert(held_letters)
            .values(
                letter_id=uuid.UUID(str(request["letter_id"])),
                case_id=uuid.UUID(str(request["case_id"])),
                sent_on=date.fromisoformat(str(request["sent_on"])),
                request=request,
                reason=reason,
            )
            .on_conflict_do_update(
                index_elements=[held_letters.c.letter_id], set_={"reason": reason}
            )
        )

    async def of_cases(self, case_ids: Iterable[uuid.UUID]) -> list[dict[str, Any]]:
        """The requests held for these cases, oldest first, locked (a second consumer waits)."""
        ids = list(set(case_ids))
        if not ids:
            return []
        rows = await self.session.execute(
            select(held_letters.c.request)
            .where(held_letters.c.case_id.in_(ids), held_letters.c.reason == RATE_UNKNOWN)
            .order_by(held_letters.c.held_at, held_letters.c.letter_id)
            .with_for_update()
        )
        return [dict(r) for r in rows.scalars()]

    async def refuse(self, letter_id: uuid.UUID, *, reason: str) -> None:
        await self.session.execute(
            update(held_letters).where(held_letters.c.letter_id == letter_id).values(reason=reason)
        )

    async def release(self, letter_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(held_letters).where(held_letters.c.letter_id == letter_id)
        )

    async def count(self) -> int:
        """Letters held (waiting, or refused and kept for ops)."""
        return int(await self.session.scalar(select(func.count()).select_from(held_letters)) or 0)
