"""A creditor's agreement (oppdragsavtale) as a form, and back into the ledger's body (pure).

Field names are the ledger API's own (``commission_percent``, ``allocation_order``,
``vat_deductible``, ``claims_standardkompensasjon``, ``payout_account``, ``payout_name``),
so an error the API names lands next to its field. The commission is typed as people
write it (``12,5`` or ``12.5 %``); the allocation order is one of the orders of the three
groups (costs, interest, principal), or the order stored if it is another. The payout
account is checked by the ledger (a Norwegian account number or an IBAN); the form only
asks for the holder's name with it, since a settlement pays out only with both.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.datastructures import FormData

from gateway.portal.form_errors import FormErrors
from gateway.portal.formatting import decimal_number, form_text
from gateway.portal.i18n import Translator

FIELDS = (
    "commission_percent",
    "allocation_order",
    "vat_deductible",
    "claims_standardkompensasjon",
    "payout_account",
    "payout_name",
)
GROUPS = ("costs", "interest", "principal")
ORDERS: tuple[tuple[str, ...], ...] = tuple(itertools.permutations(GROUPS))
"""The orders offered: every order of the three groups, the industry default first."""

_PERCENT = re.compile(r"^(\d{1,3})(?:[.,](\d{1,4}))?$")


class InvalidPercent(ValueError):
    pass


def parse_percent(text: str) -> Decimal:
    """``12,5``, ``12.5 %``, ``0`` → a percentage from 0 to 100 with at most 4 decimals."""
    cleaned = text.replace("\u00a0", " ").strip().removesuffix("%").strip()
    match = _PERCENT.match(cleaned)
    if match is None:
        raise InvalidPercent(text)
    value = Decimal(f"{match[1]}.{match[2] or '0'}")
    if value > 100:
        raise InvalidPercent(text)
    return value


def percent_text(value: Decimal | str | float | int, lang: str = "nb") -> str:
    """``Decimal("12.5000")`` → ``12,5`` (``12.5`` in English); ``0`` for none."""
    return decimal_number(value, lang)


def order_value(order: list[str] | tuple[str, ...]) -> str:
    return ",".join(order)


def order_choices(current: list[str] | tuple[str, ...] | None) -> list[tuple[str, ...]]:
    """The orders to choose from: the three groups in each order, and the stored one if it
    is none of them (an order of the five components, set through the API)."""
    choices = list(ORDERS)
    if current and tuple(current) not in choices:
        choices.append(tuple(current))
    return choices


def format_account(account: str | None) -> str:
    """A Norwegian account number as it is written (``1234.56.78903``); an IBAN in groups
    of four; anything else as it is."""
    if not account:
        return ""
    compact = account.replace(" ", "").replace(".", "")
    if len(compact) == 11 and compact.isdigit():
        return f"{compact[:4]}.{compact[4:6]}.{compact[6:]}"
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact):
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return account


LABELS = {
    "commission_percent": "agreement.commission_label",
    "allocation_order": "agreement.order",
    "vat_deductible": "agreement.vat",
    "payout_account": "agreement.payout_account",
    "payout_name": "agreement.payout_name",
}


@dataclass
class AgreementForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


def values_of(agreement: dict[str, Any], lang: str = "nb") -> dict[str, str]:
    """The stored agreement as the form shows it."""
    return {
        "commission_percent": percent_text(agreement.get("commission_percent", 0), lang),
        "allocation_order": order_value(agreement.get("allocation_order") or GROUPS),
        "vat_deductible": "ja" if agreement.get("vat_deductible", True) else "nei",
        "claims_standardkompensasjon": (
            "ja" if agreement.get("claims_standardkompensasjon", False) else "nei"
        ),
        "payout_account": format_account(agreement.get("payout_account")),
        "payout_name": agreement.get("payout_name") or "",
    }


def read(form: FormData, t: Translator, *, allowed_orders: list[tuple[str, ...]]) -> AgreementForm:
    """What was typed, the errors found without asking the ledger, and the body to send."""
    values = {name: form_text(form, name) for name in FIELDS}
    errors = FormErrors({name: t(key) for name, key in LABELS.items()})
    commission: Decimal | None = None
    if not values["commission_percent"]:
        errors["commission_percent"] = t("reason.is_required")
    else:
        try:
            commission = parse_percent(values["commission_percent"])
        except InvalidPercent:
            errors["commission_percent"] = t("agreement.error.percent")
    order = tuple(values["allocation_order"].split(",")) if values["allocation_order"] else ()
    if order not in allowed_orders:
        errors["allocation_order"] = t("agreement.error.order")
    if values["vat_deductible"] not in ("ja", "nei"):
        errors["vat_deductible"] = t("agreement.error.vat")
    values["claims_standardkompensasjon"] = (
        "ja" if values["claims_standardkompensasjon"] == "ja" else "nei"
    )
    if values["payout_account"] and not values["payout_name"]:
        errors["payout_name"] = t("agreement.error.name_needed")
    if values["payout_name"] and not values["payout_account"]:
        errors["payout_account"] = t("agreement.error.account_needed")
    if errors or commission is None:
        return AgreementForm(values, errors)
    body: dict[str, Any] = {
        "commission_percent": str(commission),
        "allocation_order": list(order),
        "vat_deductible": values["vat_deductible"] == "ja",
        "claims_standardkompensasjon": values["claims_standardkompensasjon"] == "ja",
        "payout_account": values["payout_account"] or None,
        "payout_name": values["payout_name"] or None,
    }
    return AgreementForm(values, errors, body)
