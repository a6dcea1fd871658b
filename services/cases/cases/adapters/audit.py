"""The audit log of reads of debtors' personal data (append-only, kept with the case)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters.orm import personal_data_access


async def record(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    actor_organisation_id: uuid.UUID,
    action: str,
    case_ids: Sequence[uuid.UUID],
    detail: dict[str, Any] | None = None,
) -> None:
    """One row per case read (in the caller's transaction; the caller commits)."""
    if not case_ids:
        return
    await session.execute(
        insert(personal_data_access),
        [
            {
                "actor_id": actor_id,
                "actor_organisation_id": actor_organisation_id,
                "action": action,
                "case_id": case_id,
                "detail": detail or {},
            }
            for case_id in case_ids
        ],
    )
