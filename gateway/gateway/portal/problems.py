"""What a person reads when a service says no: problem+json turned into messages.

:func:`message` gives the sentence for the whole answer (by status, and by ``type``
where one needs its own words); :func:`field_errors` puts each ``{field, reason}`` of the
answer next to the form field it names. Field names from the API (``claims[0].due_date``,
``claims.0.due_date`` from request validation) are the form's field names once
normalised; a reason the catalogue knows is translated, any other is shown as the
service wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gateway.portal import formatting
from gateway.portal.api import ApiProblem, FieldProblem
from gateway.portal.i18n import Translator

_INDEX = re.compile(r"\[(\d+)\]")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

REPORT_PROBLEMS: dict[str, str] = {
    "saved-report-not-found": "problem.saved_report_not_found",
    "schedule-not-found": "problem.schedule_not_found",
    "report-run-not-found": "problem.report_run_not_found",
    "invalid-saved-report": "problem.invalid_saved_report",
    "creditor-required": "problem.creditor_required",
    "document-not-found": "problem.document_not_found",
    "too-many-documents": "problem.too_many_documents",
    "no-documents-selected": "problem.no_documents_selected",
    "report-not-found": "problem.report_not_found",
    "case-not-found": "problem.case_not_found",
    "as-of-in-the-future": "problem.as_of_in_the_future",
    "document-not-correctable": "problem.document_not_correctable",
    "document-already-corrected": "problem.document_already_corrected",
    "settlement-unavailable": "problem.settlement_unavailable",
}
"""The reports service's problem codes → the message a page shows."""

_TYPES = {
    "already-registered": "problem.already_registered",
    "creditor-unknown": "problem.creditor_unknown",
    "rate-limited": "problem.rate_limited",
    "invalid-cursor": "problem.invalid_cursor",
    "password-rejected": "problem.password_rejected",
    "too-many-attempts": "problem.rate_limited",
    "invalid-credentials": "problem.invalid_credentials",
    "user-exists": "problem.user_exists",
    "user-state": "problem.user_state",
    "own-account": "problem.own_account",
    **{
        code: "problem." + code.replace("-", "_")
        for code in (
            "price-changed",
            "product-not-offered",
            "creditor-not-enabled",
            "no-match",
            "subject-blocked",
            "product-not-in-contract",
            "bureau-unavailable",
            "bureau-error",
            "bureau-timeout",
            "not-received-by-bureau",
            "price-list-in-force",
            "api-client-invalid",
            "api-client-revoked",
            "api-client-not-found",
            "insufficient-scope",
            "client-not-allowed",
            "attachment-infected",
            "attachment-refused",
            "attachment-not-released",
        )
    },
    **REPORT_PROBLEMS,
}
_STATUSES = {
    400: "problem.bad_request",
    401: "problem.unauthorized",
    403: "problem.forbidden",
    404: "problem.not_found",
    409: "problem.conflict",
    410: "problem.gone",
    413: "problem.too_large",
    415: "problem.bad_request",
    422: "problem.invalid",
    429: "problem.rate_limited",
    502: "problem.unavailable",
    503: "problem.unavailable",
    504: "problem.timeout",
}


def normalise_field(name: str) -> str:
    """``claims[0].due_date`` → ``claims.0.due_date``."""
    return _INDEX.sub(r".\1", name).strip(".")


def _values(problem: ApiProblem) -> dict[str, Any]:
    """The problem's own members a message may name (``case_number``), never its detail."""
    values: dict[str, Any] = {
        name: value
        for name, value in problem.extensions.items()
        if isinstance(value, str | int) and not isinstance(value, bool)
    }
    values["seconds"] = problem.retry_after or 60
    return values


def coded(code: str, params: Mapping[str, Any], t: Translator) -> str | None:
    """A service's refusal ``code`` (``varsel-deadline-running``) in the page's language,
    with the dates it names written as the page writes dates; ``None`` if unknown."""
    values: dict[str, str] = {}
    for name, value in params.items():
        text = str(value)
        if _ISO_DAY.match(text):
            text = formatting.day(text, t.lang)
        elif name == "case_status" and t.has(f"status.{text}"):
            text = t(f"status.{text}")
        values[name] = text
    key = "problem.code." + code.replace("-", "_")
    if not t.has(key) and code.startswith("not-when-"):
        key = "problem.code.not_in_this_state"
    if not t.has(key):
        return None
    try:
        return t(key, **values)
    except (KeyError, IndexError):
        return None


def message(problem: ApiProblem, t: Translator) -> str:
    """The whole answer in the page's language, from its refusal ``code``, its ``type``
    code or its status.

    The service's ``title`` and ``detail`` are English for developers and never shown."""
    code = problem.extensions.get("code")
    if isinstance(code, str):
        text = coded(code, problem.extensions, t)
        if text is not None:
            return text
    key = _TYPES.get(problem.type.rsplit("/", 1)[-1]) or _STATUSES.get(problem.status)
    if key is None:
        key = "problem.server" if problem.status >= 500 else "problem.bad_request"
    values = _values(problem)
    if key == "problem.already_registered" and "case_number" in values:
        key = "problem.already_registered_as"
    text = t(key, **values)
    if key == "problem.password_rejected" and problem.errors:
        return f"{text} {field_reason(problem.errors[0], t)}."
    return text


def explanation(problem: ApiProblem, t: Translator) -> str:
    """What a refused upload says beyond :func:`message`: its field errors in the page's
    language, or (an English page only) the service's detail."""
    if problem.errors:
        return " ".join(f"{field_reason(error, t)}." for error in problem.errors[:5])
    return problem.detail if t.lang == "en" else ""


def _reason_key(text: str) -> str:
    return "reason." + re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def reason(text: str, t: Translator) -> str:
    """A field error's reason in the page's language, when the catalogue knows it (also
    without a parenthesised detail: ``not a valid … (checksum)``). A reason it does not know
    is the service's English: an English page shows it, a Norwegian one «Er ikke gyldig»."""
    for candidate in (text, text.split(" (", 1)[0]):
        key = _reason_key(candidate)
        if t.has(key):
            return t(key)
    return text if t.lang == "en" else t("reason.invalid")


def import_reason(row: Mapping[str, Any], t: Translator) -> str:
    """A row of an import's error report in the page's language: by the ``code`` the
    cases service stored with it and the ``values`` its words need (ADR 0069), else (a
    report from before the codes) by its sentence as :func:`reason`."""
    code = row.get("code")
    values = row.get("values") or {}
    key = f"import.reason.{code}"
    if isinstance(code, str) and code and t.has(key) and isinstance(values, Mapping):
        try:
            return t(key, **{str(k): str(v) for k, v in values.items()})
        except (KeyError, IndexError):
            pass
    return reason(str(row.get("reason", "")), t)


def field_reason(error: FieldProblem, t: Translator) -> str:
    """One field error in the page's language: by its ``code`` (with its values) when the
    service sent one the catalogs know, else as :func:`reason`, else by the field
    (``reason.email_invalid``)."""
    if error.code:
        key = "reason." + error.code.replace("-", "_")
        if t.has(key):
            try:
                coded_text = t(key, **dict(error.values))
            except (KeyError, IndexError):
                coded_text = "{"  # a value the words name is missing
            if "{" not in coded_text:
                return coded_text
    said = reason(error.reason, t)
    field = normalise_field(error.field).rsplit(".", 1)[-1]
    if said in (error.reason, t("reason.invalid")) and t.has(f"reason.{field}_invalid"):
        return t(f"reason.{field}_invalid")  # «not a valid e-mail address», by the field
    return said


def field_label(name: str, t: Translator) -> str:
    """A field's name as a person reads it (``debtor.national_id`` → «Fødselsnummer»)."""
    for candidate in (name, name.rsplit(".", 1)[-1]):
        key = f"field.{candidate}"
        if t.has(key):
            return t(key)
    return name


def field_errors(
    problem: ApiProblem,
    t: Translator,
    fields: set[str] | None = None,
    renames: dict[str, str] | None = None,
) -> dict[str, str]:
    """Form field → message. ``renames`` gives the form's name of an API field where they
    differ (a search box ``q`` for the query parameter ``debtor``). Errors for fields the
    form does not have go under ``_`` keys (shown in the summary only); without any field
    errors, the whole message does.
    """
    errors: dict[str, str] = {}
    for number, error in enumerate(problem.errors):
        name = normalise_field(error.field)
        name = (renames or {}).get(name, name)
        if fields is not None and name not in fields:
            label = f"{field_label(name, t)}: " if name else ""
            errors[f"_{number}"] = f"{label}{field_reason(error, t)}"
        elif name not in errors:
            errors[name] = field_reason(error, t)
    if not errors:
        errors["_"] = message(problem, t)
    return errors
