"""«Satser for <år>» on the public front page: the ledger's confirmed rates in force today.

Read without a token from the ledger's public ``GET /api/v1/ledger/rates/in-force`` and
kept for a few minutes by this gateway (``app.state``; the figures change once or twice a
year), so the front page costs the ledger one call per gateway every few minutes. If the
ledger is down, slow or answers nonsense, the page is shown without the rates: never an
error page, and a failed read is kept only briefly (the next visitors try again soon).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from gateway.portal import rate_names
from gateway.portal.api import ApiProblem, Backend
from gateway.portal.formatting import today_oslo
from gateway.upstream import Upstreams

log = logging.getLogger(__name__)

PATH = "/api/v1/ledger/rates/in-force"
KEEP_SECONDS = 300.0
"""How long a good answer is reused."""
RETRY_SECONDS = 15.0
"""How long after a failed read the page goes without rates before asking again."""
TIMEOUT_SECONDS = 1.5
"""The front page waits no longer than this for the ledger."""
MAX_ROWS = 500


@dataclass
class _Kept:
    rows: list[dict[str, Any]] | None = None
    until: float = 0.0


def _kept_by(request: Request) -> _Kept:
    state = request.app.state
    kept: _Kept | None = getattr(state, "front_page_rates", None)
    if kept is None:
        kept = state.front_page_rates = _Kept()
    return kept


def _valid(answer: Any) -> list[dict[str, Any]] | None:
    if not isinstance(answer, list) or len(answer) > MAX_ROWS:
        return None
    fields = {"kind", "parameter", "effective_from", "value", "unit", "source_url"}
    rows = [r for r in answer if isinstance(r, dict) and fields <= set(r)]
    return rows if len(rows) == len(answer) else None


async def rates_in_force(request: Request) -> list[dict[str, Any]]:
    """The front page's rates (kinds of :data:`rate_names.FRONT_PAGE_KINDS`), in page order;
    ``[]`` when the ledger cannot say."""
    kept = _kept_by(request)
    now = time.monotonic()
    if now >= kept.until:
        upstreams: Upstreams = request.app.state.upstreams
        rows: list[dict[str, Any]] | None = None
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                rows = _valid(await Backend(upstreams, request, None).get(PATH))
        except (ApiProblem, TimeoutError) as exc:
            log.warning("front page rates unavailable: %s", type(exc).__name__)
        if rows is None:
            kept.rows, kept.until = None, now + RETRY_SECONDS
        else:
            kept.rows, kept.until = rows, now + KEEP_SECONDS
    shown = [r for r in kept.rows or [] if r["kind"] in rate_names.FRONT_PAGE_KINDS]
    return rate_names.in_force(shown, today_oslo())
