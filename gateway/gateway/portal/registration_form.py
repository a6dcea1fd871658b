"""The registration form: what a person typed, read into the cases API's body (pure).

Field names are the API's own paths (``debtor.address.postal_code``, ``claims.0.due_date``),
so an error the API names lands next to the field that caused it. Amounts are typed in
kroner (``1 234,50``) and sent as øre; dates are typed as ``dd.mm.åååå``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from gateway.portal.formatting import InvalidInput, form_text, parse_amount, parse_day
from gateway.portal.i18n import Translator

MAX_CLAIMS = 20
ADDRESS_LINES = 2
TEXT_FIELDS = (
    "creditor_reference",
    "debtor.name",
    "debtor.national_id",
    "debtor.organisation_number",
    "debtor.address.postal_code",
    "debtor.address.city",
    "debtor.address.country",
    "debtor.email",
    "debtor.phone",
)
CLAIM_FIELDS = (
    "invoice_number",
    "invoice_date",
    "due_date",
    "principal_ore",
    "reminder_fee_ore",
    "claim_type",
    "demand_sent_on",
)


@dataclass
class Registration:
    values: dict[str, str]
    claim_count: int
    errors: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None

    def field_names(self) -> set[str]:
        names = set(TEXT_FIELDS) | {"debtor.kind"}
        names |= {f"debtor.address.lines.{i}" for i in range(ADDRESS_LINES)}
        names |= {f"claims.{i}.{f}" for i in range(self.claim_count) for f in CLAIM_FIELDS}
        return names


def blank(claim_count: int = 1) -> Registration:
    return Registration(
        values={"debtor.kind": "person", "debtor.address.country": "NO"}, claim_count=claim_count
    )


def read(form: FormData, t: Translator) -> Registration:
    """The typed values, the errors found without asking the API, and the body to send."""
    try:
        count = int(form_text(form, "claim_count") or "1")
    except ValueError:
        count = 1
    count = max(1, min(MAX_CLAIMS, count))
    names = [*TEXT_FIELDS, "debtor.kind"]
    names += [f"debtor.address.lines.{i}" for i in range(ADDRESS_LINES)]
    names += [f"claims.{i}.{f}" for i in range(count) for f in CLAIM_FIELDS]
    values = {name: form_text(form, name) for name in names}
    result = Registration(values=values, claim_count=count)
    kind = values["debtor.kind"] if values["debtor.kind"] in ("person", "business") else "person"
    values["debtor.kind"] = kind

    claims: list[dict[str, Any]] = []
    for i in range(count):
        claim: dict[str, Any] = {"invoice_number": values[f"claims.{i}.invoice_number"]}
        claim_type = values[f"claims.{i}.claim_type"]
        claim["claim_type"] = values[f"claims.{i}.claim_type"] = (
            "loan" if claim_type == "loan" else "ordinary"
        )
        for date_field in ("invoice_date", "due_date"):
            name = f"claims.{i}.{date_field}"
            if not values[name]:
                result.errors[name] = t("reason.is_required")
                continue
            try:
                claim[date_field] = parse_day(values[name]).isoformat()
            except InvalidInput:
                result.errors[name] = t("form.date_invalid")
        demand = f"claims.{i}.demand_sent_on"
        if values[demand]:  # only when no due date was agreed: the påkrav's date
            try:
                claim["demand_sent_on"] = parse_day(values[demand]).isoformat()
            except InvalidInput:
                result.errors[demand] = t("form.date_invalid")
        for amount_field, required in (("principal_ore", True), ("reminder_fee_ore", False)):
            name = f"claims.{i}.{amount_field}"
            if not values[name]:
                if required:
                    result.errors[name] = t("reason.is_required")
                else:
                    claim[amount_field] = 0
                continue
            try:
                claim[amount_field] = parse_amount(values[name])
            except InvalidInput:
                result.errors[name] = t("form.amount_invalid")
        claims.append(claim)

    if result.errors:
        return result
    lines = [values[f"debtor.address.lines.{i}"] for i in range(ADDRESS_LINES)]
    debtor: dict[str, Any] = {
        "kind": kind,
        "name": values["debtor.name"],
        "address": {
            "lines": [line for line in lines if line] or [""],
            "postal_code": values["debtor.address.postal_code"],
            "city": values["debtor.address.city"],
            "country": (values["debtor.address.country"] or "NO").upper(),
        },
        "email": values["debtor.email"] or None,
        "phone": values["debtor.phone"] or None,
    }
    if kind == "person":
        debtor["national_id"] = values["debtor.national_id"].replace(" ", "") or None
    else:
        debtor["organisation_number"] = (
            values["debtor.organisation_number"].replace(" ", "") or None
        )
    result.body = {
        "creditor_reference": values["creditor_reference"],
        "debtor": debtor,
        "claims": claims,
    }
    return result


def api_field(name: str) -> str:
    """Where an API error about ``name`` is shown on the form."""
    if name in ("debtor.address.lines", "debtor.address"):
        return "debtor.address.lines.0"
    return name
