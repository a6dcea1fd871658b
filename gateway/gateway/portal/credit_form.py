"""The credit report order form: what was typed, read into the credit API's order body.

The form asks for the subject (a business by organisasjonsnummer, a person by
fødselsnummer or D-nummer), the product, and the purpose (a code from the fixed list, a
text, the case, and for the creditor's own credit decision a declared customer
relationship). :func:`read` checks what the page can tell without the service (a number's
length, a missing choice, the purpose's rules) so every such error is shown at once,
before a price is asked for; the credit service stays the judge (check digits, the 2032
rule, prices) and its field codes land on the same fields. The form's field names are
the API's (``subject.national_id``), so :func:`~gateway.portal.problems.field_errors`
puts the service's errors next to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from starlette.datastructures import FormData

from gateway.portal.form_errors import FormErrors
from gateway.portal.formatting import form_text
from gateway.portal.i18n import Translator

KINDS: Final = ("company", "person")
PURPOSES: Final = (
    "CASE_ASSESSMENT",
    "LEGAL_STEP_ASSESSMENT",
    "PAYMENT_PLAN_ASSESSMENT",
    "CREDITOR_CREDIT_DECISION",
)
"""The credit service's fixed list of purposes (``credit.domain.purposes``), in order."""
NEEDS_CASE: Final = frozenset(PURPOSES[:3])
"""Purposes about a claim under collection: the order names the case."""
MIN_TEXT: Final = 10
MAX_TEXT: Final = 500
MAX_CASE: Final = 64
FIELDS: Final = (
    "subject.kind",
    "subject.organisation_number",
    "subject.national_id",
    "product_code",
    "purpose.code",
    "purpose.text",
    "purpose.case_id",
    "purpose.relationship_declared",
)
_SEPARATORS = re.compile(r"[\s.\-]")
_PRODUCT = re.compile(r"^[A-Z0-9_]{1,40}$")


LABELS = {
    "subject.kind": "credit.order.kind",
    "subject.organisation_number": "credit.order.organisation_number",
    "subject.national_id": "credit.order.national_id",
    "product_code": "credit.order.product",
    "purpose.code": "credit.order.purpose_code",
    "purpose.text": "credit.order.purpose_text",
    "purpose.case_id": "credit.order.case",
    "purpose.relationship_declared": "credit.order.relationship",
}
"""Each field's label, for the error summary."""


@dataclass
class CreditOrderForm:
    """The typed values (as typed, to show again), the errors by field, and the order's
    body without its price once nothing is wrong."""

    values: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    body: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return self.values.get("subject.kind", "")

    @property
    def product_code(self) -> str:
        return self.values.get("product_code", "")


def blank(**values: str) -> CreditOrderForm:
    """An empty form; ``values`` fill some fields (from a case)."""
    return CreditOrderForm(values={"subject.kind": "company", **values})


def _digits(text: str) -> str:
    return _SEPARATORS.sub("", text)


def read(form: FormData, t: Translator, products: dict[str, str]) -> CreditOrderForm:
    """The posted form checked; ``products`` maps each product code offered to the kind of
    subject it is for (``company``/``person``)."""
    names = (*FIELDS, "accepted_price_ore")
    values = {name: form_text(form, name) for name in names}
    values["purpose.relationship_declared"] = "1" if values["purpose.relationship_declared"] else ""
    errors = FormErrors({name: t(key) for name, key in LABELS.items()})
    kind = values["subject.kind"]
    if kind not in KINDS:
        errors["subject.kind"] = t("credit.error.kind")
    number_field = "subject.national_id" if kind == "person" else "subject.organisation_number"
    number = _digits(values.get(number_field, ""))
    if kind == "company" and not (number.isascii() and number.isdigit() and len(number) == 9):
        errors[number_field] = t("reason.organisation_number_format")
    if kind == "person" and not (number.isascii() and number.isdigit() and len(number) == 11):
        errors[number_field] = t("reason.national_id_format")
    product = values["product_code"]
    if not _PRODUCT.match(product) or product not in products:
        errors["product_code"] = t("credit.error.product")
    elif kind in KINDS and products[product] != kind:
        errors["product_code"] = t("reason.product_not_for_subject")
    code = values["purpose.code"]
    if code not in PURPOSES:
        errors["purpose.code"] = t("credit.error.purpose")
    text = values["purpose.text"].strip()
    if len(text) < MIN_TEXT:
        errors["purpose.text"] = t("reason.purpose_text_required")
    elif len(text) > MAX_TEXT:
        errors["purpose.text"] = t("reason.purpose_text_too_long")
    case_id = values["purpose.case_id"].strip()
    if len(case_id) > MAX_CASE:
        errors["purpose.case_id"] = t("credit.error.case_too_long")
    elif code in NEEDS_CASE and not case_id:
        errors["purpose.case_id"] = t("reason.case_required")
    declared = bool(values["purpose.relationship_declared"])
    if code == "CREDITOR_CREDIT_DECISION" and not declared:
        errors["purpose.relationship_declared"] = t("reason.relationship_not_declared")
    typed = CreditOrderForm(values=values, errors=errors)
    if errors:
        return typed
    subject: dict[str, Any] = {"kind": kind}
    subject["national_id" if kind == "person" else "organisation_number"] = number
    typed.body = {
        "product_code": product,
        "subject": subject,
        "purpose": {
            "code": code,
            "text": text,
            "case_id": case_id or None,
            "relationship_declared": declared,
        },
    }
    return typed


def accepted_price(form: FormData) -> int | None:
    """The price ex. VAT the confirmation page showed (øre), if it is a number."""
    text = form_text(form, "accepted_price_ore")
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    return int(text)
