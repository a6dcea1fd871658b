"""Report outputs written as streams: CSV row by row, XLSX through XlsxWriter in
constant-memory mode (each row flushed to a temporary file as the next begins; the
workbook is assembled on disk and then streamed), so memory does not grow with the rows.

Rows arrive in chunks (a server-side cursor's partitions); the XLSX writing of a chunk
and the closing of the workbook run in a worker thread, off the event loop.
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

from reports.domain.catalogue import Column
from reports.domain.layouts import amount

READ_SIZE = 1 << 16


def _csv_value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "money":
        return amount(int(value))
    if kind == "percent":
        return f"{float(value):.1f}".replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


async def csv_stream(
    columns: Sequence[Column], chunks: AsyncIterator[Sequence[Sequence[Any]]]
) -> AsyncIterator[bytes]:
    """UTF-8 with BOM, ``;``, decimal comma (the layouts of :mod:`reports.domain.layouts`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.code for c in columns])
    yield ("\ufeff" + out.getvalue()).encode("utf-8")
    async for rows in chunks:
        out.seek(0)
        out.truncate()
        writer.writerows(
            [_csv_value(c.kind, v) for c, v in zip(columns, row, strict=True)] for row in rows
        )
        yield out.getvalue().encode("utf-8")


class _Sheet:
    """One worksheet written in row order (constant memory)."""

    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.workbook = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "tmpdir": str(path.parent)}
        )
        self.sheet = self.workbook.add_worksheet("Rapport")
        self.columns = columns
        self.money = self.workbook.add_format({"num_format": "#,##0.00"})
        self.day = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.percent = self.workbook.add_format({"num_format": "0.0"})
        self.bold = self.workbook.add_format({"bold": True})
        self.row = 0
        self.sheet.write_row(0, 0, [c.code for c in columns], self.bold)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        for values in rows:
            self.row += 1
            for col, (column, value) in enumerate(zip(self.columns, values, strict=True)):
                if value is None:
                    continue
                if column.kind == "money":
                    self.sheet.write_number(self.row, col, int(value) / 100, self.money)
                elif column.kind == "count":
                    self.sheet.write_number(self.row, col, int(value))
                elif column.kind == "percent":
                    self.sheet.write_number(self.row, col, float(value), self.percent)
                elif column.kind == "date":
                    self.sheet.write_datetime(self.row, col, value, self.day)
                else:
                    self.sheet.write_string(self.row, col, str(value))

    def close(self) -> None:
        self.workbook.close()


async def xlsx_stream(
    columns: Sequence[Column], chunks: AsyncIterator[Sequence[Sequence[Any]]]
) -> AsyncIterator[bytes]:
    """The workbook's bytes, after every row is written; the temporary files go after."""
    folder = Path(tempfile.mkdtemp(prefix="reports-xlsx-"))
    try:
        path = folder / "rapport.xlsx"
        sheet = await asyncio.to_thread(_Sheet, path, columns)
        async for rows in chunks:
            await asyncio.to_thread(sheet.write, rows)
        await asyncio.to_thread(sheet.close)
        with path.open("rb") as file:
            while data := await asyncio.to_thread(file.read, READ_SIZE):
                yield data
    finally:
        shutil.rmtree(folder, ignore_errors=True)
