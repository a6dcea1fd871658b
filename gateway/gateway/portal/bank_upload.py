"""Bank files uploaded by case handlers: which format a file is, and what the ledger said
was wrong with one it refused (pure).

The ledger reads Nets OCR giro files (80-character records starting ``NY``) and ISO 20022
camt.054 (XML) files of incoming payments; the person may name the format or let the
portal tell by the file's first bytes. A refused file comes back as problem+json with one
``{field, reason}`` per problem, the field ``line 12: amount`` for a record (or a control
total's scope, such as ``oppdrag 1``); those become rows of a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.portal.api import ApiProblem

FORMATS = ("ocr", "camt054")
CHOICES = ("auto", *FORMATS)

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_LINE = re.compile(r"^line (\d+): ?(.*)$")


def detect_format(head: bytes) -> str | None:
    """``ocr``, ``camt054`` or ``None`` (neither) from the first bytes of a file."""
    start = head
    for bom in _BOMS:
        start = start.removeprefix(bom)
    start = start.lstrip()
    if start.startswith(b"<"):
        return "camt054"
    if start.startswith(b"NY"):
        return "ocr"
    return None


def chosen_format(choice: str, head: bytes) -> str | None:
    """The format to send: the one chosen, or (``auto``) the one the file looks like."""
    if choice in FORMATS:
        return choice
    return detect_format(head) if choice in ("", "auto") else None


@dataclass(frozen=True)
class FileProblem:
    line: int | None
    where: str
    reason: str


def file_problems(problem: ApiProblem, limit: int = 200) -> list[FileProblem]:
    """The problems the ledger named in a refused file, by line where it gave one."""
    found: list[FileProblem] = []
    for error in problem.errors[:limit]:
        match = _LINE.match(error.field)
        if match:
            found.append(FileProblem(int(match[1]), match[2], error.reason))
        else:
            found.append(FileProblem(None, error.field, error.reason))
    return found
