"""A background run's output file: CSV or XLSX written to a temporary file, chunk by chunk.

The writers are synchronous; the worker calls them in a worker thread (``asyncio.to_thread``)
so formatting and writing stay off its event loop. XLSX is XlsxWriter's constant-memory
mode (:class:`reports.adapters.exports._Sheet`), CSV the layouts' conventions.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from reports.adapters.exports import _csv_value, _Sheet
from reports.domain.catalogue import Column


class OutputFile(Protocol):
    def write(self, rows: Sequence[Sequence[Any]]) -> None: ...

    def close(self) -> None: ...


class CsvFile:
    """UTF-8 with BOM, ``;``, decimal comma, CRLF."""

    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.columns = columns
        self.file = path.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.file, delimiter=";", lineterminator="\r\n")
        self.writer.writerow([c.code for c in columns])

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        self.writer.writerows(
            [_csv_value(c.kind, v) for c, v in zip(self.columns, row, strict=True)] for row in rows
        )

    def close(self) -> None:
        self.file.close()


def open_output(file_format: str, path: Path, columns: Sequence[Column]) -> OutputFile:
    return CsvFile(path, columns) if file_format == "csv" else _Sheet(path, columns)
