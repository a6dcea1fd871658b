"""The case list's search form, read from the page's query (pure): what was typed, the
cases API's query, and every error found, each named by its field's label."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from gateway.portal import formatting
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator

PAGE_SIZE = 25
SORTS = ("registered", "principal", "balance", "due", "case_number")
STATUSES = (
    "registered",
    "notice_sent",
    "demand_sent",
    "disputed",
    "payment_plan",
    "legal",
    "closed",
)
LABELS = {
    "q": "cases.q",
    "case_number": "cases.case_number",
    "reference": "cases.reference",
    "from": "cases.from",
    "to": "cases.to",
}
"""The form's fields and their labels (the error summary names them)."""
SEARCH_FIELDS = {
    "q": "q",
    "creditor_reference": "reference",
    "registered_from": "from",
    "registered_to": "to",
}
"""The search form's field for each query parameter of the cases API it fills in."""


@dataclass
class CaseFilter:
    values: dict[str, Any]
    params: list[tuple[str, str]]
    errors: FormErrors = field(default_factory=FormErrors)


def form_errors(t: Translator) -> FormErrors:
    """The form's errors, empty, with its fields' labels."""
    return FormErrors({name: t(key) for name, key in LABELS.items()})


def read(query: QueryParams, t: Translator) -> CaseFilter:
    """The form's values, the API's query and the errors of what could not be read."""
    values: dict[str, Any] = {
        "q": query.get("q", "").strip(),
        "case_number": query.get("case_number", "").strip(),
        "reference": query.get("reference", "").strip(),
        "status": [s for s in query.getlist("status") if s in STATUSES],
        "from": query.get("from", "").strip(),
        "to": query.get("to", "").strip(),
        "sort": query.get("sort", "registered"),
        "order": "asc" if query.get("order") == "asc" else "desc",
    }
    if values["sort"] not in SORTS:
        values["sort"] = "registered"
    params: list[tuple[str, str]] = [
        ("limit", str(PAGE_SIZE)),
        ("sort", values["sort"]),
        ("order", values["order"]),
    ]
    errors = form_errors(t)
    if values["q"]:  # the one box: name words, case number, reference, national id …
        params.append(("q", values["q"]))
    if values["case_number"]:
        params.append(("case_number", values["case_number"]))
    if values["reference"]:
        params.append(("creditor_reference", values["reference"]))
    params += [("status", s) for s in values["status"]]
    for name, api_name in (("from", "registered_from"), ("to", "registered_to")):
        if values[name]:
            try:
                params.append((api_name, formatting.parse_day(values[name]).isoformat()))
            except formatting.InvalidInput:
                errors.add(name, t("form.date_invalid"))
    cursor = query.get("cursor", "")
    if cursor:
        params.append(("cursor", cursor))
    return CaseFilter(values, params, errors)
