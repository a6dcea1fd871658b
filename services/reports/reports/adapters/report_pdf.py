"""A catalogue report as a PDF: the rows as a table under the report's title and filters,
through the documents' WeasyPrint templates (``report.html``). A long report breaks over
pages with the column headings repeated on each (``thead`` as a table header group) and
«Side n av m» at the foot. CPU work: callers run it in a worker thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from reports.adapters.rendering import PdfRenderer
from reports.domain.catalogue import ReportDefinition
from reports.domain.money import kroner
from reports.domain.report_headings import FILTER_NAMES, HEADINGS, TITLES

OSLO = ZoneInfo("Europe/Oslo")


def cell_text(kind: str, value: Any) -> str:
    """A value as the printed report shows it (money in kroner, dates dd.mm.yyyy)."""
    if value is None:
        return ""
    if kind == "money":
        return kroner(int(value))
    if kind == "percent":
        return f"{float(value):.1f}".replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def report_pdf(
    renderer: PdfRenderer,
    definition: ReportDefinition,
    rows: Sequence[Sequence[Any]],
    *,
    filters: dict[str, str],
    generated_at: datetime,
    truncated: bool,
) -> bytes:
    """The PDF of a report run: ``rows`` in the definition's column order."""
    title = TITLES.get(definition.code, definition.code)
    kinds = [c.kind for c in definition.columns]
    return renderer.pdf(
        "report.html",
        {
            "columns": definition.columns,
            "headings": {c.code: HEADINGS.get(c.code, c.code) for c in definition.columns},
            "rows": [
                [cell_text(kind, value) for kind, value in zip(kinds, row, strict=True)]
                for row in rows
            ],
            "filters": [(FILTER_NAMES.get(k, k), v) for k, v in filters.items()],
            "generated": generated_at.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M"),
            "truncated": truncated,
        },
        title=title,
        created=generated_at,
    )
