"""The floor for ``bench/api_reads.py``: a bare Starlette + asyncpg endpoint running the
cases API's list query and answering the same JSON, without anything else.

    BARE_DATABASE_URL=postgresql://… BARE_TENANT=<organisation id> \
        uv run python -m uvicorn bench.bare_reads:app --port 9999

``GET /cases?limit=50``: the SQL that ``cases.views.list_cases`` sends for a creditor
user's first page (newest registered first, one row more than the page to know whether a
next page exists), the rows as ``CasePage`` JSON (``items``, ``next_cursor``; the cursor
is left ``null``: encoding it is not the point). No token check, no session check, no
audit row, no OpenTelemetry, no pydantic: what the database and one event loop cost.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

LIST_CASES = """
SELECT id AS case_id, case_number, kid, creditor_id, creditor_reference, status,
       closed_reason, debtor_kind, debtor_name, principal_total_ore, claim_count,
       earliest_due_date, deadline, registered_at, status_since, updated_at
FROM cases
WHERE creditor_id = $1
ORDER BY registered_at DESC, id DESC
LIMIT $2
"""


def _default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, (date, uuid.UUID)):
        return str(value)
    raise TypeError(type(value).__name__)


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["BARE_DATABASE_URL"], min_size=4, max_size=int(os.environ.get("BARE_POOL", 10))
    )
    app.state.tenant = uuid.UUID(os.environ["BARE_TENANT"])
    yield
    await app.state.pool.close()


async def list_cases(request: Request) -> Response:
    limit = min(max(int(request.query_params.get("limit", "50")), 1), 500)
    async with request.app.state.pool.acquire() as conn:
        rows = await conn.fetch(LIST_CASES, request.app.state.tenant, limit + 1)
    items = [dict(r) for r in rows[:limit]]
    body = json.dumps({"items": items, "next_cursor": None}, default=_default)
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/cases", list_cases)], lifespan=_lifespan)
