"""Files attached to notes: which kinds are allowed, told by their content, not their name.

A file's kind is what its first bytes say (its magic number) — a PDF starts with ``%PDF-``,
a PNG with its 8-byte signature; an office file is a ZIP whose entries say which (OOXML's
``word/``, ``xl/``, ``ppt/``; OpenDocument's ``mimetype`` entry). The name a user gave is
kept only to name the download, cleaned of paths and control characters.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

MAX_FILENAME_CHARS = 120
MAX_ZIP_ENTRIES = 10_000
"""An office file with more entries than this is not one we take (zip bombs)."""

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

EXTENSIONS: dict[str, str] = {
    PDF: "pdf",
    PNG: "png",
    JPEG: "jpg",
    WEBP: "webp",
    DOCX: "docx",
    XLSX: "xlsx",
    PPTX: "pptx",
    ODT: "odt",
    ODS: "ods",
}
"""Every media type an attachment may have, with its usual extension."""


@dataclass(frozen=True)
class FileRefused(ValueError):
    """A file that cannot be attached; ``code`` is the field code the portal translates."""

    code: str

    def __str__(self) -> str:
        return self.code


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return None
            names = {info.filename for info in infos}
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return declared if declared in (ODT, ODS) else None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def sniff(data: bytes) -> str | None:
    """The file's media type by its content, or ``None`` for a kind we do not take."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def check(data: bytes, *, max_bytes: int) -> str:
    """The media type of a file that may be attached; raises :class:`FileRefused`."""
    if not data:
        raise FileRefused("file_empty")
    if len(data) > max_bytes:
        raise FileRefused("file_too_large")
    kind = sniff(data)
    if kind is None:
        raise FileRefused("file_type_not_allowed")
    return kind


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|;]+")


def clean_filename(name: str | None, media_type: str) -> str:
    """A download name: no directories or control characters, the content's extension."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", base).strip(" ._") or "vedlegg"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem = base
    wanted = EXTENSIONS[media_type]
    if dot and ext.lower() == wanted:
        wanted = ext
    stem = stem[: MAX_FILENAME_CHARS - len(wanted) - 1]
    return f"{stem}.{wanted}"
