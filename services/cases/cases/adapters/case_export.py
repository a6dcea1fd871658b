"""The case list written as a stream (ADR 0055): CSV row by row; XLSX through XlsxWriter
in constant-memory mode (each row flushed to a temporary file as the next begins; the
workbook is assembled on disk, then streamed), so memory does not grow with the rows.

Rows arrive in chunks (a server-side cursor's partitions). Every text cell goes through
:func:`~cases.domain.import_layout.spreadsheet_safe`: a reference such as ``=HYPERLINK(…)``
comes back as text, never as a formula.
"""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

from cases.domain.case_export import COLUMNS, Language, cell, headers, kroner
from cases.domain.import_layout import spreadsheet_safe

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READ_SIZE = 1 << 16
Rows = AsyncIterator[Sequence[dict[str, Any]]]


def _csv_text(value: Any, kind: str, language: Language) -> str:
    if value is None:
        return ""
    if kind == "money":
        return kroner(value, language)
    if isinstance(value, date):
        return value.isoformat() if language == "en" else value.strftime("%d.%m.%Y")
    return spreadsheet_safe(str(value))


async def csv_stream(chunks: Rows, language: Language) -> AsyncIterator[bytes]:
    """UTF-8 with a BOM. Bokmål: ``;`` and a decimal comma, dates ``dd.mm.yyyy`` (as
    Norwegian Excel opens it directly); English: ``,``, a decimal point, ISO dates."""
    out = io.StringIO()
    delimiter = ";" if language == "nb" else ","
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers(language))
    yield ("\ufeff" + out.getvalue()).encode("utf-8")
    async for rows in chunks:
        out.seek(0)
        out.truncate()
        writer.writerows(
            [_csv_text(cell(c, row, language), c.kind, language) for c in COLUMNS] for row in rows
        )
        yield out.getvalue().encode("utf-8")


class _Sheet:
    """One worksheet written in row order (constant memory)."""

    def __init__(self, path: Path, language: Language) -> None:
        self.workbook = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "tmpdir": str(path.parent)}
        )
        self.language = language
        self.sheet = self.workbook.add_worksheet("Saker" if language == "nb" else "Cases")
        self.money = self.workbook.add_format({"num_format": "#,##0.00"})
        self.day = self.workbook.add_format(
            {"num_format": "dd.mm.yyyy" if language == "nb" else "yyyy-mm-dd"}
        )
        bold = self.workbook.add_format({"bold": True})
        for index, column in enumerate(COLUMNS):
            width = 14 if column.kind != "text" else 22
            self.sheet.set_column(index, index, width)
        self.sheet.write_row(0, 0, headers(language), bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self.row += 1
            for index, column in enumerate(COLUMNS):
                value = cell(column, row, self.language)
                if value is None:
                    continue
                if column.kind == "money":  # kroner as a number, shown with two decimals
                    self.sheet.write_number(self.row, index, value / 100, self.money)
                elif column.kind == "date":
                    self.sheet.write_datetime(self.row, index, value, self.day)
                else:
                    self.sheet.write_string(self.row, index, spreadsheet_safe(value))

    def close(self) -> None:
        self.workbook.close()


async def xlsx_stream(chunks: Rows, language: Language) -> AsyncIterator[bytes]:
    """The workbook's bytes, once every row is written; the temporary files go after."""
    folder = Path(tempfile.mkdtemp(prefix="cases-export-"))
    try:
        path = folder / "saker.xlsx"
        sheet = await asyncio.to_thread(_Sheet, path, language)
        async for rows in chunks:
            await asyncio.to_thread(sheet.write, rows)
        await asyncio.to_thread(sheet.close)
        with path.open("rb") as file:
            while data := await asyncio.to_thread(file.read, READ_SIZE):
                yield data
    finally:
        shutil.rmtree(folder, ignore_errors=True)
