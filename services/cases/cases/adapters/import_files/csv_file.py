"""CSV case files: UTF-8 (with or without BOM) or Windows-1252, ``;`` or ``,`` (or tab).

Encoding: a file that starts with a UTF-8 BOM, or whose first 64 KiB are valid UTF-8, is
read as UTF-8; otherwise as Windows-1252 (what Excel on a Norwegian Windows writes for
"CSV (semikolonseparert)"), unless the uploader named the encoding. Each line is decoded
on its own, so a line that is not valid in the file's encoding is one bad row ("line 17,
column (encoding): …"), never a crash and never a silently garbled name.

Delimiter: the one of ``;`` ``,`` and tab that occurs most in the header line outside
quotes (Excel's ``sep=;`` first line is honoured). Lines are read with a length cap, so a
file without line breaks cannot fill the memory.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cases.adapters.import_files.source import FileFacts
from cases.domain.import_layout import (
    Header,
    LayoutError,
    RowError,
    SourceRow,
    check_header,
    is_comment,
)

SNIFF_BYTES = 64 * 1024
MAX_LINE_BYTES = 64 * 1024
"""A longer physical line is refused as a row (the legitimate ones are well under 4 KiB)."""
ENCODINGS = {
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "iso-8859-1": "latin-1",
    "latin-1": "latin-1",
    "latin1": "latin-1",
}
"""Encodings an uploader may name (``encoding=``), to Python's codec."""
_SHOWN_ENCODING = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "ISO-8859-1"}
_DELIMITERS = (";", ",", "\t")


def detect_encoding(head: bytes) -> str:
    """The codec for a file that starts with ``head`` (see the module's rule)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _delimiter(line: str) -> str:
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _raw_lines(f: BinaryIO) -> Iterator[bytes | None]:
    """Physical lines (with their line break); ``None`` for one longer than the cap."""
    while True:
        line = f.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:  # skip the rest of the line
                rest = f.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


class CsvFile:
    """A CSV case file on local disk."""

    def __init__(self, path: Path, *, encoding: str | None = None) -> None:
        self.path = path
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
        if not head.strip():
            raise LayoutError("The file is empty.")
        if head.startswith(b"PK\x03\x04"):
            raise LayoutError("This is an XLSX workbook, not CSV: upload it as XLSX.")
        if b"\x00" in head:
            raise LayoutError(
                "The file is not CSV text (it holds binary data): upload CSV, XLSX or JSON."
            )
        codec = ENCODINGS.get((encoding or "").lower()) or detect_encoding(head)
        self.codec = codec
        self._bad: dict[int, RowError] = {}
        self._header_lines = 1
        with path.open("rb") as f:
            first = self._decoded_lines(f)
            header_line = next(first, "")
            if header_line.lower().startswith("sep=") and len(header_line.strip()) == 5:
                self.delimiter = header_line.strip()[4]
                header_line = next(first, "")
                self._header_lines = 2
            else:
                self.delimiter = _delimiter(header_line)
        if self._bad:
            raise LayoutError(
                f"The header line is not {_SHOWN_ENCODING[codec]} text; save the file as "
                "'CSV UTF-8' or name its encoding."
            )
        try:
            cells = next(csv.reader([header_line], delimiter=self.delimiter), [])
        except csv.Error:
            raise LayoutError("The header line cannot be read as CSV.") from None
        self.header: Header = check_header(cells)
        self.facts = FileFacts(
            encoding=_SHOWN_ENCODING[codec],
            delimiter={"\t": "tab"}.get(self.delimiter, self.delimiter),
            ignored_columns=self.header.ignored,
        )

    def _decoded_lines(self, f: BinaryIO) -> Iterator[str]:
        """Each line decoded on its own; a bad one is noted in ``_bad`` by its number."""
        codec = self.codec
        # utf-8-sig is utf-8 without a leading BOM: the same, line by line, through the
        # codec written in C (utf-8-sig's own decode is Python, called for every line)
        sig = codec == "utf-8-sig"
        line_codec = "utf-8" if sig else codec
        bad = self._bad
        number = 0
        for raw in _raw_lines(f):
            number += 1
            if raw is None:
                bad[number] = RowError(
                    number,
                    "(encoding)",
                    f"the line is longer than {MAX_LINE_BYTES // 1024} KiB",
                    "line_too_long",
                )
                yield "\n"
                continue
            if sig and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield raw.decode(line_codec)
            except UnicodeDecodeError as exc:
                bad[number] = RowError(
                    number,
                    "(encoding)",
                    f"the line is not {_SHOWN_ENCODING[codec]} text (byte 0x{raw[exc.start]:02X} "
                    f"at position {exc.start + 1}); save the file as 'CSV UTF-8'",
                    "encoding",
                    (("encoding", _SHOWN_ENCODING[codec]),),
                )
                yield raw.decode(line_codec, errors="replace")

    def rows(self, *, skip: int = 0) -> Iterator[SourceRow]:
        names = self.header.names
        width = len(names)
        columns = [(i, name) for i, name in enumerate(names) if name is not None]
        reference = names.index("creditor_reference")
        bad = self._bad
        bad.clear()
        with self.path.open("rb") as f:
            lines = self._decoded_lines(f)
            for _ in range(self._header_lines):
                next(lines, None)
            bad.clear()
            reader = csv.reader(lines, delimiter=self.delimiter, strict=False)
            previous_end = self._header_lines
            records = 0
            while True:
                errors: list[RowError] = []
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    cells = []
                    errors.append(
                        RowError(
                            previous_end + 1,
                            "",
                            f"the row cannot be read as CSV: {exc}",
                            "unreadable_line",
                        )
                    )
                start, end = previous_end + 1, self._header_lines + reader.line_num
                previous_end = end
                if bad:
                    for number in [n for n in bad if n <= end]:
                        errors.append(bad.pop(number))
                if not errors and not any(cells):
                    continue  # a blank line is no row
                if not errors and reference < len(cells) and is_comment(cells[reference]):
                    continue  # the template's example row, or a comment
                records += 1
                if records <= skip:
                    continue
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                values = {name: cells[i] for i, name in columns}
                yield SourceRow(line=start, values=values, errors=errors)
