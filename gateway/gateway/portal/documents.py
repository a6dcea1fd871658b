"""The reports service's documents as the portal's pages use them: the filters of the
documents list, read from the page's query, and the documents issued for one batch or
settlement (the download links on their pages).

The portal never sends the browser to ``/api/v1``: a document is downloaded through
``/dokumenter/{id}/fil``, which the portal fetches with the person's token and streams on
(``portal/relay.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from gateway.portal import formatting
from gateway.portal.api import ApiProblem
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator
from gateway.portal.visitor import Visitor

REPORTS = "/api/v1/reports"
KINDS = (
    "order_confirmation",
    "settlement_statement",
    "posting_proposal",
    "case_statement",
    "report_run",
    "debtor_letter",
    "credit_note",
)
CORRECTION_REASONS = (
    "creditor_name",
    "creditor_organisation_number",
    "creditor_address",
    "account_mapping",
    "issued_in_error",
)
"""The reasons an agency administrator may give (the reports service's ``CorrectionIn``)."""
ZIP_MAX_DOCUMENTS = 2000
"""The reports service's ``REPORTS_ZIP_MAX_DOCUMENTS`` default, said on the page."""


def valid_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@dataclass
class DocumentFilter:
    """The documents page's filter: the form's values (as typed), the API's query
    parameters and what could not be read."""

    values: dict[str, str] = field(default_factory=dict)
    params: list[tuple[str, str]] = field(default_factory=list)
    errors: FormErrors = field(default_factory=FormErrors)

    def query(self) -> list[tuple[str, str]]:
        """The page's own query for the same filter (links to pages and the ZIP form)."""
        return [(name, value) for name, value in self.values.items() if value]


FILTER_LABELS = {
    "slag": "documents.kind",
    "fra": "documents.from",
    "til": "documents.to",
    "oppdragsgiver": "documents.creditor",
}
"""The filter's fields and their labels (the error summary names them)."""


def read_filter(query: QueryParams, t: Translator, *, agency: bool) -> DocumentFilter:
    """``slag``, ``fra``, ``til`` and (agency staff) ``oppdragsgiver`` from the query."""
    chosen = DocumentFilter(errors=FormErrors({n: t(k) for n, k in FILTER_LABELS.items()}))
    kind = query.get("slag", "")
    chosen.values["slag"] = kind if kind in KINDS else ""
    if chosen.values["slag"]:
        chosen.params.append(("kind", kind))
    for name, api_name in (("fra", "period_from"), ("til", "period_to")):
        text = query.get(name, "").strip()[:40]
        chosen.values[name] = text
        if text:
            try:
                chosen.params.append((api_name, formatting.parse_day(text).isoformat()))
            except formatting.InvalidInput:
                chosen.errors.add(name, t("form.date_invalid"))
    creditor = query.get("oppdragsgiver", "").strip() if agency else ""
    chosen.values["oppdragsgiver"] = creditor
    if creditor:
        if valid_id(creditor):
            chosen.params.append(("creditor_id", creditor))
        else:
            chosen.errors.add("oppdragsgiver", t("documents.error.creditor"))
    return chosen


async def documents_for(
    visitor: Visitor, source_id: str, kinds: Iterable[str]
) -> list[dict[str, Any]] | None:
    """The documents issued for a batch, a settlement or a case (the kinds asked for), or
    ``None`` when the reports service cannot say now (the page shows the rest anyway)."""
    params = [("source_id", source_id), *(("kind", k) for k in kinds), ("limit", "20")]
    try:
        found = await visitor.backend.get(f"{REPORTS}/documents", params)
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return None
    items: list[dict[str, Any]] = found.get("items") or []
    return items


async def creditor_choices(visitor: Visitor) -> list[dict[str, str]]:
    """Agency staff's creditor filter: the creditors by name (the first 200); none for a
    creditor's users, or when the identity service cannot say."""
    if not visitor.is_agency:
        return []
    try:
        found = await visitor.backend.get(
            "/api/v1/auth/organisations", {"kind": "creditor", "limit": 200}
        )
    except ApiProblem as problem:
        if problem.status == 401:
            raise
        return []
    return [{"id": str(o["id"]), "name": str(o["name"])} for o in found]
