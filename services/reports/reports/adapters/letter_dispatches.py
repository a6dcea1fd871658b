"""The queue of letters handed to the post (``letter_dispatches``).

A row is added in the transaction that issues the letter, so no issued letter is without
one. The poster claims due rows with ``FOR UPDATE SKIP LOCKED`` (several posters never take
the same row), and a sent row loses its recipient (the address stays only in the letter).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.adapters.orm import documents, letter_dispatches


@dataclass(frozen=True, slots=True)
class DueLetter:
    letter_id: uuid.UUID
    kind: str
    recipient: dict[str, Any]
    attempts: int
    pdf: bytes


class LetterDispatches:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        letter_id: uuid.UUID,
        document_id: uuid.UUID,
        case_id: uuid.UUID,
        kind: str,
        recipient: dict[str, Any],
    ) -> None:
        await self.session.execute(
            insert(letter_dispatches)
            .values(
                letter_id=letter_id,
                document_id=document_id,
                case_id=case_id,
                kind=kind,
                recipient=recipient,
            )
            .on_conflict_do_nothing(index_elements=[letter_dispatches.c.letter_id])
        )

    async def claim_due(self, now: datetime, limit: int) -> list[DueLetter]:
        """Up to ``limit`` unsent letters whose time has come, locked until the commit."""
        d = letter_dispatches.c
        rows = (
            await self.session.execute(
                select(d.letter_id, d.kind, d.recipient, d.attempts, documents.c.content)
                .join(documents, documents.c.document_id == d.document_id)
                .where(d.sent_at.is_(None), d.next_attempt_at <= now)
                .order_by(d.next_attempt_at)
                .limit(limit)
                .with_for_update(of=letter_dispatches, skip_locked=True)
            )
        ).all()
        return [
            DueLetter(
                letter_id=r.letter_id,
                kind=r.kind,
                recipient=dict(r.recipient or {}),
                attempts=r.attempts,
                pdf=bytes(r.content),
            )
            for r in rows
        ]

    async def mark_sent(self, letter_id: uuid.UUID, *, at: datetime, reference: str) -> None:
        await self.session.execute(
            update(letter_dispatches)
            .where(letter_dispatches.c.letter_id == letter_id)
            .values(
                sent_at=at,
                post_reference=reference,
                recipient=None,
                attempts=letter_dispatches.c.attempts + 1,
                last_error=None,
            )
        )

    async def mark_failed(
        self, letter_id: uuid.UUID, *, at: datetime, retry_in: timedelta, error: str
    ) -> None:
        await self.session.execute(
            update(letter_dispatches)
            .where(letter_dispatches.c.letter_id == letter_id)
            .values(
                attempts=letter_dispatches.c.attempts + 1,
                next_attempt_at=at + retry_in,
                last_error=error[:200],
            )
        )

    async def unsent(self) -> int:
        """How many letters wait for the post (a metric)."""
        return int(
            (
                await self.session.execute(
                    select(func.count()).where(letter_dispatches.c.sent_at.is_(None))
                )
            ).scalar_one()
        )
