"""The case page's note form, read (pure): the note's text and who sees it, and every
error, each named by its field's label in the error summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from gateway.portal.api import ApiProblem
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator
from gateway.portal.note_attachments import FIELD as ATTACHMENTS

LABELS = {"body": "case.note_label", ATTACHMENTS: "attachment.name"}
"""The form's fields and their labels."""


@dataclass
class NoteForm:
    values: dict[str, str]
    errors: FormErrors
    body: dict[str, Any] | None = None


def form_errors(t: Translator) -> FormErrors:
    """The form's errors, empty, with its fields' labels."""
    return FormErrors({name: t(key) for name, key in LABELS.items()})


def read(form: FormData, t: Translator, *, agency: bool) -> NoteForm:
    """The note to send (``visibility`` ``internal`` only for agency staff who chose it)."""
    text = str(form.get("body", "")).strip()
    visibility = "internal" if agency and form.get("visibility") == "internal" else "shared"
    values = {"body": text, "visibility": visibility}
    errors = form_errors(t)
    if not text:
        errors.add("body", t("case.note_empty"))
        return NoteForm(values, errors)
    return NoteForm(values, errors, {"body": text, "visibility": visibility})


def refused(problem: ApiProblem, t: Translator) -> FormErrors:
    """The cases service's refusal of a note: at the text, or in the summary."""
    errors = form_errors(t)
    errors.merge_problem(problem, t, fields=("body",))
    return errors


def files_refused(sentences: list[str], t: Translator) -> FormErrors:
    """The files that could not be attached (the note itself was saved), at the file field."""
    errors = form_errors(t)
    errors.add(ATTACHMENTS, " ".join(sentences))
    return errors
