"""The registration form: what a person typed, read into the cases API's body (pure).

Field names are the API's own paths (``debtor.address.postal_code``, ``claims.0.due_date``),
so an error the API names lands next to the field that caused it. Amounts are typed in
kroner (``1 234,50``) and sent as øre; dates are typed as ``dd.mm.åååå``. The whole
form is checked before it is sent (the cases service's own rules, where the portal can
see them), so every error shows at once (:mod:`gateway.portal.form_errors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from starlette.datastructures import FormData

from gateway.portal import form_errors
from gateway.portal.form_errors import FormErrors
from gateway.portal.formatting import form_text, today_oslo
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


FIELD_LABELS = {
    "creditor_reference": "register.reference",
    "debtor.kind": "register.kind",
    "debtor.name": "register.name",
    "debtor.national_id": "register.national_id",
    "debtor.organisation_number": "register.organisation_number",
    "debtor.address.lines.0": "register.address",
    "debtor.address.lines.1": "register.address2",
    "debtor.address.postal_code": "register.postal_code",
    "debtor.address.city": "register.city",
    "debtor.address.country": "register.country",
    "debtor.email": "register.email",
    "debtor.phone": "register.phone",
}
CLAIM_LABELS = {
    "invoice_number": "register.invoice_number",
    "invoice_date": "register.invoice_date",
    "due_date": "register.due_date",
    "principal_ore": "register.principal",
    "reminder_fee_ore": "register.reminder_fee",
    "claim_type": "register.claim_type",
}


@dataclass
class Registration:
    values: dict[str, str]
    claim_count: int
    errors: FormErrors = field(default_factory=FormErrors)
    body: dict[str, Any] | None = None
    probe: dict[str, Any] | None = None
    """With errors: the body with neutral stand-ins for what could not be read, for the
    cases service's check (``POST /api/v1/cases/validation``), so that its errors on the
    other fields show at once with the form's own."""

    def field_names(self) -> list[str]:
        """Every field of the form, in the order the page shows them."""
        names = ["creditor_reference", "debtor.kind", "debtor.name"]
        names += ["debtor.national_id", "debtor.organisation_number"]
        names += [f"debtor.address.lines.{i}" for i in range(ADDRESS_LINES)]
        names += [n for n in TEXT_FIELDS if n not in names]
        names += [f"claims.{i}.{f}" for i in range(self.claim_count) for f in CLAIM_FIELDS]
        return names


def labels(claim_count: int, t: Translator) -> dict[str, str]:
    """Each field's label as the summary names it («Krav 2, Forfallsdato»)."""
    named = {name: t(key) for name, key in FIELD_LABELS.items()}
    for i in range(claim_count):
        for name, key in CLAIM_LABELS.items():
            named[f"claims.{i}.{name}"] = t("register.claim_field", n=i + 1, field=t(key))
    return named


def blank(claim_count: int = 1) -> Registration:
    return Registration(
        values={"debtor.kind": "person", "debtor.address.country": "NO"}, claim_count=claim_count
    )


def _debtor_errors(values: dict[str, str], kind: str, errors: FormErrors, t: Translator) -> None:
    """What the cases service would refuse about the debtor, found before asking it (so
    that a form with a wrong date also shows the missing name)."""
    form_errors.required(errors, "creditor_reference", values["creditor_reference"], t)
    form_errors.required(errors, "debtor.name", values["debtor.name"], t)
    if kind == "person" and not values["debtor.national_id"].strip():
        errors.add("debtor.national_id", t("reason.is_required_for_a_person"))
    if kind == "business" and not values["debtor.organisation_number"].strip():
        errors.add("debtor.organisation_number", t("reason.is_required_for_a_business"))
    form_errors.required(errors, "debtor.address.lines.0", values["debtor.address.lines.0"], t)
    postal_code = values["debtor.address.postal_code"].strip()
    country = (values["debtor.address.country"] or "NO").strip().upper()
    if country == "NO" and postal_code and not (len(postal_code) == 4 and postal_code.isdigit()):
        errors.add("debtor.address.postal_code", t("reason.a_norwegian_postal_code_has_4_digits"))
    form_errors.required(errors, "debtor.address.postal_code", postal_code, t)
    form_errors.required(errors, "debtor.address.city", values["debtor.address.city"], t)


def _claim(i: int, values: dict[str, str], errors: FormErrors, t: Translator) -> dict[str, Any]:
    prefix = f"claims.{i}."
    claim: dict[str, Any] = {"invoice_number": values[prefix + "invoice_number"]}
    form_errors.required(errors, prefix + "invoice_number", values[prefix + "invoice_number"], t)
    claim_type = values[prefix + "claim_type"]
    claim["claim_type"] = values[prefix + "claim_type"] = (
        "loan" if claim_type == "loan" else "ordinary"
    )
    today = today_oslo()
    invoice = form_errors.day(errors, prefix + "invoice_date", values[prefix + "invoice_date"], t)
    due = form_errors.day(errors, prefix + "due_date", values[prefix + "due_date"], t)
    if invoice is not None:
        claim["invoice_date"] = invoice.isoformat()
        if invoice > today:
            errors.add(prefix + "invoice_date", t("reason.is_in_the_future"))
    if due is not None:
        claim["due_date"] = due.isoformat()
        if invoice is not None and due < invoice:
            errors.add(prefix + "due_date", t("reason.is_before_the_invoice_date"))
        elif due >= today:
            errors.add(prefix + "due_date", t("reason.the_claim_is_not_overdue_yet"))
    demand = form_errors.day(
        errors, prefix + "demand_sent_on", values[prefix + "demand_sent_on"], t, required=False
    )
    if demand is not None:  # only when no due date was agreed: the påkrav's date
        claim["demand_sent_on"] = demand.isoformat()
    principal_name = prefix + "principal_ore"
    principal = form_errors.amount(errors, principal_name, values[principal_name], t)
    fee = form_errors.amount(
        errors,
        prefix + "reminder_fee_ore",
        values[prefix + "reminder_fee_ore"],
        t,
        required=False,
        zero_allowed=True,
    )
    if principal is not None:
        claim["principal_ore"] = principal
    if fee is not None:
        claim["reminder_fee_ore"] = fee
        if principal is not None and fee > principal:
            errors.add(prefix + "reminder_fee_ore", t("reason.is_larger_than_the_principal"))
    return claim


def read(form: FormData, t: Translator) -> Registration:
    """The typed values, every error found without asking the API, and the body to send."""
    try:
        count = int(form_text(form, "claim_count") or "1")
    except ValueError:
        count = 1
    count = max(1, min(MAX_CLAIMS, count))
    names = [*TEXT_FIELDS, "debtor.kind"]
    names += [f"debtor.address.lines.{i}" for i in range(ADDRESS_LINES)]
    names += [f"claims.{i}.{f}" for i in range(count) for f in CLAIM_FIELDS]
    values = {name: form_text(form, name) for name in names}
    result = Registration(values=values, claim_count=count, errors=FormErrors(labels(count, t)))
    kind = values["debtor.kind"] if values["debtor.kind"] in ("person", "business") else "person"
    values["debtor.kind"] = kind

    _debtor_errors(values, kind, result.errors, t)
    claims = [_claim(i, values, result.errors, t) for i in range(count)]
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
    body = {"creditor_reference": values["creditor_reference"], "debtor": debtor, "claims": claims}
    if result.errors:
        result.errors = result.errors.ordered(result.field_names())
        result.probe = {**body, "claims": [_stand_ins(claim) for claim in claims]}
    else:
        result.body = body
    return result


def _stand_ins(claim: dict[str, Any]) -> dict[str, Any]:
    """A claim with a neutral value for each field that could not be read: one that gives
    no error on any *other* field (errors on the field itself are the form's own)."""
    today = today_oslo()
    filled = dict(claim)
    fee = filled.setdefault("reminder_fee_ore", 0)
    filled.setdefault("principal_ore", max(fee, 1))
    due = filled.get("due_date")
    invoice = filled.get("invoice_date")
    if invoice is None:
        filled["invoice_date"] = due or (today - timedelta(days=30)).isoformat()
    if due is None:
        filled["due_date"] = max(filled["invoice_date"], (today - timedelta(days=1)).isoformat())
    return filled


def api_field(name: str) -> str:
    """Where an API error about ``name`` is shown on the form."""
    if name in ("debtor.address.lines", "debtor.address"):
        return "debtor.address.lines.0"
    return name
