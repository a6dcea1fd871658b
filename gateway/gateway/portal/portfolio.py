"""The start page's figures, computed from a page of case summaries (pure).

The cases API has no summary endpoint yet, so the start page reads the newest cases
(up to :data:`SAMPLE`) and counts them here; the page says so when there are more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gateway.portal.formatting import OSLO

SAMPLE = 500
STATUS_ORDER = (
    "registered",
    "notice_sent",
    "demand_sent",
    "disputed",
    "payment_plan",
    "legal",
    "closed",
)


@dataclass(frozen=True)
class Portfolio:
    total: int
    open_count: int
    outstanding_ore: int
    """Principal of the cases that are not closed."""
    by_status: list[tuple[str, int]]
    principal_by_status: list[tuple[str, int]]
    per_month: list[tuple[date, int]]
    """Cases registered per month, the last ``months`` months, oldest first."""
    recent: list[dict[str, Any]]
    capped: bool


def _month(value: str) -> date:
    moment = datetime.fromisoformat(value).astimezone(OSLO)
    return date(moment.year, moment.month, 1)


def _months_back(today: date, months: int) -> list[date]:
    result = []
    year, month = today.year, today.month
    for _ in range(months):
        result.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(result))


def summarise(
    items: list[dict[str, Any]], *, today: date, capped: bool, months: int = 6, recent: int = 8
) -> Portfolio:
    counts: Counter[str] = Counter()
    principal: Counter[str] = Counter()
    per_month: Counter[date] = Counter()
    for case in items:
        status = str(case.get("status", ""))
        counts[status] += 1
        principal[status] += int(case.get("principal_total_ore", 0))
        per_month[_month(str(case["registered_at"]))] += 1
    order = [s for s in STATUS_ORDER if counts[s]] + sorted(
        s for s in counts if s not in STATUS_ORDER
    )
    open_cases = [c for c in items if c.get("status") != "closed"]
    newest = sorted(items, key=lambda c: str(c.get("status_since", "")), reverse=True)
    return Portfolio(
        total=len(items),
        open_count=len(open_cases),
        outstanding_ore=sum(int(c.get("principal_total_ore", 0)) for c in open_cases),
        by_status=[(s, counts[s]) for s in order],
        principal_by_status=[(s, principal[s]) for s in order],
        per_month=[(m, per_month[m]) for m in _months_back(today, months)],
        recent=newest[:recent],
        capped=capped,
    )
