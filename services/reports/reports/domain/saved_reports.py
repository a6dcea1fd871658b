"""Saved report definitions («Lagrede rapporter») and when their schedules come due.

A definition names a catalogue report, its filters, the columns wanted (none = every
column) and the file format. A schedule runs it daily, weekly or monthly at
:data:`RUN_AT` (Europe/Oslo); :func:`next_run` is the one rule for the next due time.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from reports.domain.catalogue import CATALOGUE, Column, ReportDefinition
from reports.domain.errors import InvalidSavedReport, ReportNotFound

OSLO = ZoneInfo("Europe/Oslo")
RUN_AT = time(6, 0)
"""Scheduled runs are due at 06:00 Oslo time, before the working day."""

Frequency = Literal["daily", "weekly", "monthly"]
FileFormat = Literal["csv", "xlsx"]
FILTER_KEYS = ("period_from", "period_to", "status", "debtor_kind", "batch_id")


@dataclass(frozen=True, slots=True)
class Definition:
    """What a saved report runs: a catalogue code, filters, columns and format."""

    report: str
    filters: dict[str, str]
    columns: tuple[str, ...]
    format: FileFormat

    @property
    def catalogue(self) -> ReportDefinition:
        return CATALOGUE[self.report]

    def selected(self) -> tuple[tuple[int, Column], ...]:
        """The columns written, with their place in the report's rows."""
        every = self.catalogue.columns
        if not self.columns:
            return tuple(enumerate(every))
        place = {c.code: i for i, c in enumerate(every)}
        return tuple((place[code], every[place[code]]) for code in self.columns)


def definition(
    report: str, filters: dict[str, str], columns: list[str], file_format: FileFormat
) -> Definition:
    """A checked definition: the report exists, its columns are the report's, each once."""
    known = CATALOGUE.get(report)
    if known is None:
        raise ReportNotFound("No such report.")
    codes = {c.code for c in known.columns}
    unknown = [c for c in columns if c not in codes]
    if unknown:
        raise InvalidSavedReport("columns", "unknown_column")
    if len(set(columns)) != len(columns):
        raise InvalidSavedReport("columns", "duplicate_column")
    extra = [k for k in filters if k not in FILTER_KEYS]
    if extra:
        raise InvalidSavedReport("filters", "unknown_filter")
    kept = {k: v for k, v in filters.items() if v not in (None, "")}
    return Definition(report, kept, tuple(columns), file_format)


def next_run(frequency: Frequency, after: datetime) -> datetime:
    """The first due time strictly after ``after`` (06:00 Oslo on the schedule's days).

    Daily: the next 06:00. Weekly: 06:00 seven days on. Monthly: 06:00 on the same day of
    the next month (the month's last day when it is shorter)."""
    local = after.astimezone(OSLO)
    first = datetime.combine(local.date(), RUN_AT, OSLO)
    if first <= local:
        first = datetime.combine(local.date() + timedelta(days=1), RUN_AT, OSLO)
    if frequency == "daily":
        due = first
    elif frequency == "weekly":
        due = datetime.combine(local.date() + timedelta(days=7), RUN_AT, OSLO)
    else:
        due = datetime.combine(_add_month(local.date()), RUN_AT, OSLO)
    return due.astimezone(UTC)


def _add_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
