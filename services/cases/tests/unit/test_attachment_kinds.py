"""Files on notes: kinds told by content, names cleaned, clamd's answers read."""

from __future__ import annotations

import io
import zipfile

import pytest
from cases.adapters.clamd import ScannerUnavailable, parse_reply
from cases.domain import attachments as files


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", files.PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00", files.PNG),
        (b"\xff\xd8\xff\xe0JFIF", files.JPEG),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", files.WEBP),
        (_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"}), files.DOCX),
        (_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), files.XLSX),
        (_zip({"[Content_Types].xml": b"<x/>", "ppt/presentation.xml": b"<x/>"}), files.PPTX),
        (_zip({"mimetype": files.ODT.encode(), "content.xml": b"<x/>"}), files.ODT),
        (_zip({"mimetype": files.ODS.encode()}), files.ODS),
    ],
)
def test_allowed_kinds_are_told_by_their_first_bytes(data: bytes, kind: str) -> None:
    assert files.check(data, max_bytes=1_000_000) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 an exe",
        b"<html><script>alert(1)</script></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 legacy office",
        _zip({"evil.exe": b"MZ"}),
        _zip({"mimetype": b"application/x-something"}),
        b"PK\x03\x04 broken zip",
    ],
)
def test_other_content_is_refused_whatever_its_name(data: bytes) -> None:
    with pytest.raises(files.FileRefused) as refused:
        files.check(data, max_bytes=1_000_000)
    assert refused.value.code == "file_type_not_allowed"


def test_empty_and_too_large_have_their_own_codes() -> None:
    with pytest.raises(files.FileRefused) as empty:
        files.check(b"", max_bytes=10)
    with pytest.raises(files.FileRefused) as large:
        files.check(b"%PDF-" + b"0" * 10, max_bytes=10)
    assert (empty.value.code, large.value.code) == ("file_empty", "file_too_large")


@pytest.mark.parametrize(
    ("given", "kind", "cleaned"),
    [
        ("../../etc/faktura.pdf", files.PDF, "faktura.pdf"),
        ("C:\\Users\\kari\\brev.PDF", files.PDF, "brev.PDF"),
        ("bilde.jpg", files.PNG, "bilde.png"),
        ("rapport.pdf.exe", files.PDF, "rapport.pdf.pdf"),
        ("\x00\x1f<script>.pdf", files.PDF, "script_.pdf"),
        (None, files.XLSX, "vedlegg.xlsx"),
        ("x" * 300 + ".pdf", files.PDF, "x" * 116 + ".pdf"),
    ],
)
def test_download_names_are_cleaned_and_carry_the_contents_extension(
    given: str | None, kind: str, cleaned: str
) -> None:
    assert files.clean_filename(given, kind) == cleaned


def test_clamd_answers_are_read() -> None:
    assert parse_reply(b"stream: OK\0").outcome == "clean"
    infected = parse_reply(b"stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0")
    assert (infected.outcome, infected.signature) == ("infected", "Eicar-Test-Signature.UNOFFICIAL")
    for broken in (b"INSTREAM size limit exceeded. ERROR\0", b"stream: Can't scan ERROR\0", b""):
        with pytest.raises(ScannerUnavailable):
            parse_reply(broken)
