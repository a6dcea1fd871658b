"""The start page's figures, from the cases service's portfolio summary (pure).

``GET /api/v1/cases/summary`` counts every case the visitor may see; the newest cases
(a page of :data:`SAMPLE`) give the recent activity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

SAMPLE = 20
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


def _months_back(today: date, months: int) -> list[date]:
    result = []
    year, month = today.year, today.month
    for _ in range(months):
        result.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(result))


def summarise(
    summary: Mapping[str, Any],
    newest: Sequence[dict[str, Any]],
    *,
    today: date,
    months: int = 6,
    recent: int = 8,
) -> Portfolio:
    """The figures of ``summary`` (the cases API's) in display order, with the months
    that had no registrations filled in, and the most recently changed of ``newest``."""
    counts = {str(f["status"]): int(f["cases"]) for f in summary["by_status"]}
    principal = {str(f["status"]): int(f["principal_total_ore"]) for f in summary["by_status"]}
    order = [s for s in STATUS_ORDER if counts.get(s)] + sorted(
        s for s in counts if s not in STATUS_ORDER
    )
    per_month = {
        date.fromisoformat(str(m["month"])): int(m["cases"])
        for m in summary["registered_per_month"]
    }
    changed = sorted(newest, key=lambda c: str(c.get("status_since", "")), reverse=True)
    return Portfolio(
        total=int(summary["total_cases"]),
        open_count=int(summary["open_cases"]),
        outstanding_ore=int(summary["outstanding_principal_ore"]),
        by_status=[(s, counts[s]) for s in order],
        principal_by_status=[(s, principal[s]) for s in order],
        per_month=[(m, per_month.get(m, 0)) for m in _months_back(today, months)],
        recent=changed[:recent],
    )
