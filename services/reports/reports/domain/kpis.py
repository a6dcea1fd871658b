"""The start page's key figures: recovery rate, collected per month, ageing (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class RecoveryRate:
    cases: int
    registered_principal_ore: int
    recovered_principal_ore: int

    @property
    def rate_percent(self) -> float | None:
        """Principal recovered / principal registered, in percent with one decimal."""
        if not self.registered_principal_ore:
            return None
        return round(100 * self.recovered_principal_ore / self.registered_principal_ore, 1)


def last_months(today: date, count: int) -> list[str]:
    """The ``count`` months up to and including ``today``'s, oldest first (``YYYY-MM``)."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def first_day(month: str) -> date:
    """``"2026-03"`` → 1 March 2026."""
    year, number = month.split("-")
    return date(int(year), int(number), 1)
