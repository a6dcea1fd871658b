"""XLSX case files: the first worksheet, read as a stream (openpyxl ``read_only``).

Before openpyxl sees the file the container is checked: a ZIP (an old ``.xls`` or an
encrypted workbook is not), no macros (``vbaProject.bin``, a macro-enabled content type),
and a cap on the uncompressed size and on the compression ratio of every part, so a
zip bomb is refused before anything is inflated. Values are read as cached (formulas are
not evaluated; a formula without a cached value is an empty cell).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from cases.adapters.import_files.source import FileFacts
from cases.domain.import_layout import (
    Header,
    LayoutError,
    SourceRow,
    check_header,
    is_comment,
)

MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
"""Uncompressed : compressed of one part; ordinary sheets stay far below."""
MAX_PARTS = 10_000
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_container(path: Path, *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> None:
    """:class:`LayoutError` unless ``path`` is a plain workbook of a sane size."""
    with path.open("rb") as f:
        head = f.read(8)
    if not head:
        raise LayoutError("The file is empty.")
    if head == _OLE:
        raise LayoutError(
            "This is an old Excel workbook (.xls) or an encrypted one: save it as .xlsx "
            "without a password."
        )
    if not zipfile.is_zipfile(path):
        raise LayoutError("The file is not an XLSX workbook.")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise LayoutError("The workbook has too many parts.")
            total = 0
            for part in parts:
                total += part.file_size
                if part.filename.lower().endswith("vbaproject.bin"):
                    raise LayoutError("Workbooks with macros are not accepted: save it as .xlsx.")
                compressed = max(part.compress_size, 1)
                if part.file_size > 1024 * 1024 and part.file_size / compressed > MAX_RATIO:
                    raise LayoutError(
                        "The workbook is refused: a part is compressed suspiciously well."
                    )
            if total > max_uncompressed:
                raise LayoutError(
                    "The workbook is too large uncompressed "
                    f"(over {max_uncompressed // 2**20} MiB)."
                )
            types = (
                archive.read("[Content_Types].xml")
                if "[Content_Types].xml" in archive.namelist()
                else b""
            )
            if b"macroEnabled" in types:
                raise LayoutError("Workbooks with macros are not accepted: save it as .xlsx.")
    except zipfile.BadZipFile:
        # The library's own message may name the local copy's path: say what, not where.
        raise LayoutError("The workbook is damaged: it is not a readable XLSX file.") from None


class XlsxFile:
    """An XLSX case file on local disk."""

    def __init__(self, path: Path, *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> None:
        check_container(path, max_uncompressed=max_uncompressed)
        self.path = path
        with self._open() as rows:
            header = next(rows, None)
        if header is None:
            raise LayoutError("The workbook's first sheet is empty.")
        self.header: Header = check_header(list(header))
        self.facts = FileFacts(ignored_columns=self.header.ignored)

    class _Rows:
        def __init__(self, path: Path) -> None:
            try:
                self.workbook: Any = load_workbook(
                    path, read_only=True, data_only=True, keep_links=False
                )
                sheet = self.workbook.worksheets[0]
                self.rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(min_row=1, values_only=True)
            except (
                InvalidFileException,
                zipfile.BadZipFile,
                KeyError,
                IndexError,
                ValueError,
                OSError,
                TypeError,
                AttributeError,
            ):
                # Not the library's message: it may quote a path or the cell it choked on.
                raise LayoutError(
                    "The workbook cannot be read: save it again as .xlsx and upload it."
                ) from None

        def __enter__(self) -> Iterator[tuple[Any, ...]]:
            return self.rows

        def __exit__(self, *exc: object) -> None:
            self.workbook.close()

    def _open(self) -> XlsxFile._Rows:
        return XlsxFile._Rows(self.path)

    def rows(self, *, skip: int = 0) -> Iterator[SourceRow]:
        names = self.header.names
        reference = names.index("creditor_reference")
        records = 0
        line = 1
        with self._open() as rows:
            next(rows, None)
            while True:
                try:
                    cells = next(rows)
                except StopIteration:
                    return
                except Exception as exc:  # a damaged sheet: the rest cannot be read
                    raise LayoutError(
                        f"The workbook is damaged after row {line}: {type(exc).__name__}."
                    ) from None
                line += 1
                if not any(c is not None and c != "" for c in cells):
                    continue
                if reference < len(cells) and is_comment(cells[reference]):
                    continue  # the template's example row, or a comment
                records += 1
                if records <= skip:
                    continue
                values = {
                    name: cells[i] if i < len(cells) else None
                    for i, name in enumerate(names)
                    if name is not None
                }
                yield SourceRow(line=line, values=values)
