"""What the importer hands back as files: the templates and the error report.

Every cell written goes through
:func:`~cases.domain.import_layout.spreadsheet_safe`: a file's own content (a reference
such as ``=HYPERLINK(…)``) comes back as text a spreadsheet shows, never as a formula it
runs. CSV is written as Norwegian Excel opens it directly: UTF-8 with a BOM, ``;``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cases.domain.import_layout import COLUMNS, spreadsheet_safe

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_REPORT_COLUMNS = ("line", "column", "reason", "creditor_reference")
_BOM = "\ufeff"


def _csv_line(cells: Sequence[object]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(
        [spreadsheet_safe(str(c)) if isinstance(c, str) else c for c in cells]
    )
    return out.getvalue()


def template_csv() -> bytes:
    """The CSV template: the header and one example row."""
    header = _csv_line([c.name for c in COLUMNS])
    example = _csv_line([c.example for c in COLUMNS])
    return (_BOM + header + example).encode("utf-8")


def template_xlsx() -> bytes:
    """The XLSX template: a sheet to fill in, and one that explains the columns."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "cases"
    sheet.append([c.name for c in COLUMNS])
    sheet.append([spreadsheet_safe(c.example) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 2)
        for row in (1, 2):
            sheet.cell(row=row, column=index).number_format = "@"  # text: keeps leading zeros
    about = workbook.create_sheet("columns")
    about.append(["column", "required", "description"])
    for column in COLUMNS:
        about.append([column.name, "yes" if column.required else "no", column.description])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def error_report_csv(
    pages: AsyncIterator[Iterable[tuple[int, str, str, str | None]]],
) -> AsyncIterator[bytes]:
    """The error report as CSV, page by page as the database gives it."""
    yield (_BOM + _csv_line(ERROR_REPORT_COLUMNS)).encode("utf-8")
    async for page in pages:
        yield "".join(
            _csv_line([line, column, reason, reference or ""])
            for line, column, reason, reference in page
        ).encode("utf-8")


async def error_report_xlsx(
    pages: AsyncIterator[Iterable[tuple[int, str, str, str | None]]], directory: Path
) -> Path:
    """The error report as an XLSX file in ``directory`` (written as a stream)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("errors")
    sheet.append(list(ERROR_REPORT_COLUMNS))
    async for page in pages:
        for line, column, reason, reference in page:
            sheet.append(
                [
                    line,
                    spreadsheet_safe(column),
                    spreadsheet_safe(reason),
                    spreadsheet_safe(reference or ""),
                ]
            )
    handle, name = tempfile.mkstemp(suffix=".xlsx", dir=directory)
    os.close(handle)
    await asyncio.to_thread(workbook.save, name)
    return Path(name)
