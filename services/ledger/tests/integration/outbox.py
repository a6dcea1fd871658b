"""Reading what the ledger wrote to its outbox (tests)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ledger.bootstrap import LedgerService
from sqlalchemy import text


async def events(
    service: LedgerService, event_type: str, case_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Payloads of ``event_type`` about ``case_id``, oldest first."""
    async with service.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT body FROM outbox WHERE event_type = :type"
                " AND body::jsonb -> 'data' ->> 'case_id' = :case ORDER BY id"
            ),
            {"type": event_type, "case": str(case_id)},
        )
        return [json.loads(body)["data"] for (body,) in rows]


async def events_of(
    service: LedgerService, event_type: str, field: str, value: object
) -> list[dict[str, Any]]:
    """Payloads of ``event_type`` whose ``field`` is ``value``, oldest first."""
    async with service.session_factory() as session:
        rows = await session.execute(
            text(
                "SELECT body FROM outbox WHERE event_type = :type"
                " AND body::jsonb -> 'data' ->> :field = :value ORDER BY id"
            ),
            {"type": event_type, "field": field, "value": str(value)},
        )
        return [json.loads(body)["data"] for (body,) in rows]
