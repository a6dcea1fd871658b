"""Files sent with a note from the case page: passed on to the cases service one by one.

The cases service checks each file's kind by its content, its size, and has ClamAV scan
it (docs/decisions/0054); the portal only carries the bytes and translates the field code
of a refusal (``file_infected``, ``file_too_large`` …) into the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData, UploadFile

from gateway.portal.api import ApiProblem
from gateway.portal.i18n import Translator
from gateway.portal.visitor import Visitor

FIELD = "vedlegg"
MAX_FILES = 10
READ_LIMIT = 11 * 1024 * 1024
"""Bytes read of one file (the gateway's body limit stops a larger form before this)."""


@dataclass
class Sent:
    held: int = 0
    refused: list[str] = field(default_factory=list)
    """One translated sentence per file that was not attached."""


def chosen_files(form: FormData) -> list[UploadFile]:
    """The files the person chose (a browser sends an empty part when none)."""
    files = [f for f in form.getlist(FIELD) if isinstance(f, UploadFile) and f.filename]
    return files[:MAX_FILES]


def refusal(problem: ApiProblem, t: Translator) -> str:
    """A refused file's reason in the page's language, from the service's field code."""
    for error in problem.errors:
        key = f"attachment.error.{error.reason}"
        if t.has(key):
            return t(key)
    return t("attachment.error.unknown")


async def send(
    visitor: Visitor, case_id: str, note_id: str, files: list[UploadFile], t: Translator
) -> Sent:
    """Attach each file to the note; what could not be attached is said, per file."""
    sent = Sent()
    for upload in files:
        name = (upload.filename or "")[-255:]
        try:
            data = await upload.read(READ_LIMIT + 1)
            status, _ = await visitor.backend.call_with_status(
                "POST",
                f"/api/v1/cases/{case_id}/notes/{note_id}/attachments",
                params={"filename": name},
                content=data,
                headers={"content-type": "application/octet-stream"},
            )
        except ApiProblem as problem:
            if problem.status >= 500 and problem.status not in (502, 503, 504):
                raise
            reason = (
                refusal(problem, t)
                if problem.status in (413, 422)
                else t("attachment.error.unknown")
            )
            if problem.status == 413:
                reason = t("attachment.error.file_too_large")
            sent.refused.append(t("attachment.note_saved_file_refused", name=name, reason=reason))
            continue
        finally:
            await upload.close()
        if status == 202:
            sent.held += 1
    return sent
