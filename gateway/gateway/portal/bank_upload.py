"""Bank files uploaded by case handlers: which format a file is, and what the ledger said
was wrong with one it refused (pure).

The ledger reads Nets OCR giro files (80-character records starting ``NY``) and ISO 20022
camt.054 (XML) files of incoming payments; the person may name the format or let the
portal tell by the file's first bytes. A refused file comes back as problem+json with one
``{field, reason, code, line, element, where}`` per problem, the field ``line 12: beløp``
for a record (or a control total's scope, such as ``oppdrag 1``); those become rows of a
table, each reason written from its ``code`` and each location from its ``where`` code in
the page's language (never the ledger's English, nor the format's own field names such as
``beløp`` or ``Ntry/BookgDt``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.portal.api import ApiProblem, FieldProblem
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator
from gateway.portal.problems import explanation, field_reason, message

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


FIELDS = {"fil": "bankfiles.file", "format": "bankfiles.format"}
"""The upload form's fields and their labels (the error summary names them)."""


def form_errors(t: Translator) -> FormErrors:
    """The upload form's errors, empty, with its fields' labels."""
    return FormErrors({name: t(key) for name, key in FIELDS.items()})


def upload_errors(choice: str, filename: str, head: bytes | None, t: Translator) -> FormErrors:
    """What is wrong with an upload before the ledger is asked: no file chosen, an empty
    file, or (``auto``) a file that is neither OCR giro nor camt.054 (``head``: its first
    bytes, ``None`` when there is no file to read)."""
    errors = form_errors(t)
    if not filename:
        errors.add("fil", t("bankfiles.error.no_file"))
    elif not head:
        errors.add("fil", t("bankfiles.error.empty"))
    elif chosen_format(choice, head) is None:
        errors.add("format", t("bankfiles.error.format"))
    return errors


def refusal_errors(problem: ApiProblem, t: Translator) -> FormErrors:
    """The ledger's refusal of a file, at the file field: how many problems (each is a row
    of the problems table), or the refusal in words."""
    errors = form_errors(t)
    if problem.type.endswith("bank-file-rejected") and problem.errors:
        errors.add("fil", t("bankfiles.error.refused", n=len(problem.errors)))
        return errors
    said = message(problem, t)
    if problem.status in (409, 413, 422):
        said = f"{said} {explanation(problem, t)}".strip()
    errors.add("fil", said)
    return errors


@dataclass(frozen=True)
class FileProblem:
    line: int | None
    where: str
    reason: str


def where(error: FieldProblem, t: Translator) -> str:
    """Where in the file a problem is, as a person names it («Beløp», «Bokføringsdato»):
    from the ledger's location code (``where``); a code the portal does not know, or none,
    is «Annet sted i filen» (never the format's own field name)."""
    code = dict(error.values).get("where")
    key = "bankfiles.where." + str(code or "").replace("-", "_")
    return t(key) if isinstance(code, str) and code and t.has(key) else t("bankfiles.where.other")


def file_problems(problem: ApiProblem, t: Translator, limit: int = 200) -> list[FileProblem]:
    """The problems the ledger named in a refused file, by line where it gave one, each
    location and reason in the page's language (from their codes)."""
    found: list[FileProblem] = []
    for error in problem.errors[:limit]:
        match = _LINE.match(error.field)
        line = int(match[1]) if match else None
        found.append(FileProblem(line, where(error, t), field_reason(error, t)))
    return found


def problem_at(error: FieldProblem, t: Translator) -> str:
    """One problem of a bank file in a sentence, in the page's language: «Linje 12,
    Beløp: Er ikke et tall» (without a line, the reason alone)."""
    said = field_reason(error, t)
    line = dict(error.values).get("line")
    if isinstance(line, int) and line > 0:
        return t("bankfiles.problem_at", line=line, element=where(error, t), reason=said)
    return said


def explained(problem: ApiProblem, t: Translator, limit: int = 5) -> str:
    """What a refused bank file (or payout answer) says beyond the message: its first
    problems, each where it is and in the page's language."""
    return " ".join(f"{problem_at(error, t)}." for error in problem.errors[:limit])
