"""Retention of documents and the read model (bokføringsloven § 13).

Primary documentation is kept 5 years from the end of the accounting year it belongs to:
a document issued in 2026 (Europe/Oslo) is kept through 31 December 2031 and may be
deleted from 1 January 2032. The accounting year is the calendar year.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

RETENTION_YEARS = 5
OSLO = ZoneInfo("Europe/Oslo")


def accounting_year(issued_at: datetime) -> int:
    """The accounting year a document issued at this moment belongs to (its Oslo date's)."""
    return issued_at.astimezone(OSLO).year


def retained_until(year: int) -> date:
    """The last day a document of this accounting year must be kept."""
    return date(year + RETENTION_YEARS, 12, 31)


def past_retention(issued_at: datetime, today: date) -> bool:
    """Whether a document issued at this moment may be deleted on this day."""
    return today > retained_until(accounting_year(issued_at))


def purge_cutoff(today: date) -> datetime:
    """Everything issued (or closed) before this moment is past retention on ``today``.

    On 31 December 2031 that is 1 January 2026 00:00 in Oslo (2025 and earlier go, 2026
    stays through its last day); on 1 January 2032 it is 1 January 2027.
    """
    newest_purgeable_year = today.year - RETENTION_YEARS - 1
    return datetime.combine(date(newest_purgeable_year + 1, 1, 1), time(), tzinfo=OSLO)
