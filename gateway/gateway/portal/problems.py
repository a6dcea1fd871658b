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
from gateway.portal.api import ApiProblem
from gateway.portal.i18n import Translator
from gateway.portal.messages_reports import PROBLEM_TYPES as REPORT_PROBLEMS

_INDEX = re.compile(r"\[(\d+)\]")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_TYPES = {
    "already-registered": "problem.already_registered",
    "creditor-unknown": "problem.creditor_unknown",
    "rate-limited": "problem.rate_limited",
    "invalid-cursor": "problem.invalid_cursor",
    "password-rejected": "problem.password_rejected",
    "too-many-attempts": "problem.rate_limited",
    "invalid-credentials": "problem.invalid_credentials",
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
    code = problem.extensions.get("code")
    if isinstance(code, str):
        text = coded(code, problem.extensions, t)
        if text is not None:
            return text
    key = _TYPES.get(problem.type.rsplit("/", 1)[-1]) or _STATUSES.get(problem.status)
    if key is None:
        key = "problem.server" if problem.status >= 500 else "problem.bad_request"
    text = t(key, seconds=problem.retry_after or 60)
    if (problem.status in (409, 410) or key == "problem.password_rejected") and problem.detail:
        return f"{text} {problem.detail}"
    return text


def _reason_key(text: str) -> str:
    return "reason." + re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def reason(text: str, t: Translator) -> str:
    """A field error's reason in the page's language, when the catalogue knows it (also
    without a parenthesised detail: ``not a valid … (checksum)``)."""
    for candidate in (text, text.split(" (", 1)[0]):
        key = _reason_key(candidate)
        if t.has(key):
            return t(key)
    return text


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
            label = f"{name}: " if name else ""
            errors[f"_{number}"] = f"{label}{reason(error.reason, t)}"
        elif name not in errors:
            errors[name] = reason(error.reason, t)
    if not errors:
        errors["_"] = message(problem, t)
    return errors
