"""One interface over the three formats: what a file says about itself, and its cases.

A reader opens a local file (the importer copies the upload there from the database),
checks what it must before the first row (header, encoding, container), and then yields
:class:`~cases.domain.import_layout.ParsedCase` one at a time: memory stays bounded by a
row (a case of at most ``MAX_CLAIMS`` rows), whatever the file's size. A problem that
makes the rest of the file unreadable (a JSON syntax error, a damaged workbook) is raised
as :class:`~cases.domain.import_layout.LayoutError` when it is met.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cases.domain.import_layout import (
    CaseGrouper,
    ImportFormat,
    ParsedCase,
    SourceRow,
)


@dataclass(frozen=True)
class FileFacts:
    """What reading the start of the file found out (shown on the job)."""

    encoding: str | None = None
    delimiter: str | None = None
    ignored_columns: tuple[str, ...] = field(default_factory=tuple)


class TabularFile(Protocol):
    facts: FileFacts

    def rows(self, *, skip: int = 0) -> Iterator[SourceRow]:
        """The records after the header, the first ``skip`` of them left out unread."""
        ...


@dataclass(frozen=True)
class Resume:
    """Where an interrupted import goes on: after ``records`` records, in this state."""

    records: int = 0
    draining: tuple[str, int] | None = None


class OpenedFile:
    """A file of any of the formats, ready to yield its cases."""

    def __init__(self, fmt: ImportFormat, path: Path, *, encoding: str | None = None) -> None:
        self.format = fmt
        self.path = path
        self._tabular: TabularFile | None = None
        self.facts = FileFacts()
        if fmt == "csv":
            from cases.adapters.import_files.csv_file import CsvFile

            self._tabular = CsvFile(path, encoding=encoding)
        elif fmt == "xlsx":
            from cases.adapters.import_files.xlsx_file import XlsxFile

            self._tabular = XlsxFile(path)
        else:
            from cases.adapters.import_files.json_file import check_json

            check_json(path)
        if self._tabular is not None:
            self.facts = self._tabular.facts

    def cases(self, resume: Resume = Resume()) -> Iterator[ParsedCase]:
        """The file's cases after ``resume``, in file order."""
        if self._tabular is None:
            from cases.adapters.import_files.json_file import json_cases

            yield from json_cases(self.path, skip=resume.records)
            return
        grouper = CaseGrouper(records=resume.records, draining=resume.draining)
        for row in self._tabular.rows(skip=resume.records):
            yield from grouper.feed(row)
        yield from grouper.finish()
