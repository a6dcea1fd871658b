"""The ledger's rate tables (satser) as a page: a new version as a form, and a rate's value
as people read it (pure).

Field names are the ledger API's own (``kind``, ``effective_from``, ``value``, ``unit``,
``parameter``, ``source_url``), so an error the API names lands next to its field. The
date is typed as ``dd.mm.åååå``; the value with a decimal comma (``12,25``), spaces
between thousands (``1 277``) or a decimal point (``12.25``). A point followed by groups
of three digits (``1.277``, and ``1,277`` on an English page) is refused: it could mean
one thousand or one and a bit, and a rate must not be guessed. The source address is
checked by the ledger (an http(s) URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData

from gateway.portal import formatting
from gateway.portal.api import ApiProblem
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator

FIELDS = ("kind", "effective_from", "value", "unit", "parameter", "source_url")
UNITS = ("NOK", "percent_pa", "percent", "multiple", "factor", "days")
MAX_VALUE = Decimal("1e9")
MAX_DECIMALS = 6

_KIND = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
_NUMBER = re.compile(r"^(?P<whole>\d{1,3}(?: \d{3})+|\d+)(?:[,.](?P<fraction>\d+))?$")
_POINT_GROUPED = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")
_COMMA_GROUPED = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+$")


class InvalidValue(ValueError):
    pass


def parse_value(text: str, lang: str = "nb") -> Decimal:
    """``1 277``, ``12,25``, ``12.25``, ``0,5 %``, ``kr 1 277`` → a number from 0 to
    1 000 000 000 with at most six decimals; raises :class:`InvalidValue`.

    On an English page ``1,277`` is refused too (a thousands comma there, a decimal comma
    in Norwegian)."""
    cleaned = text.replace(formatting.NBSP, " ").replace("\u202f", " ").strip()
    cleaned = re.sub(r"^(kr\.?|nok)\s*", "", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"\s*(%|kr|nok)$", "", cleaned, flags=re.IGNORECASE).strip()
    cleaned = re.sub(r" +", " ", cleaned)
    if _POINT_GROUPED.match(cleaned) or (lang == "en" and _COMMA_GROUPED.match(cleaned)):
        raise InvalidValue(text)  # 1.277: thousands or decimals? Not guessed.
    match = _NUMBER.match(cleaned)
    if match is None:
        raise InvalidValue(text)
    fraction = match["fraction"] or ""
    if len(fraction) > MAX_DECIMALS:
        raise InvalidValue(text)
    try:
        whole = match["whole"].replace(" ", "")
        value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation as exc:
        raise InvalidValue(text) from exc
    if value > MAX_VALUE:
        raise InvalidValue(text)
    return value


def value_text(value: Decimal | str | float | int, unit: str, t: Translator) -> str:
    """A rate as people read it: ``kr 1 277``, ``12,25 % p.a.``, ``0,4 ganger``,
    ``14 dager``; a unit the page does not know after the number."""
    number = formatting.decimal_number(value, t.lang)
    key = f"rates.value.{unit.lower()}"
    return t(key, n=number) if t.has(key) else f"{number} {unit}".strip()


def input_text(value: Decimal | str | float | int) -> str:
    """A value as a form field shows it again: ``12,25`` (no grouping)."""
    return formatting.decimal_number(value, "nb").replace(formatting.NBSP, "")


LABELS = {name: f"rates.{name}" for name in FIELDS}
CONFIRMATION_FIELDS = ("source_url",)


@dataclass
class RateForm:
    values: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    body: dict[str, Any] | None = None


def form_errors(t: Translator, names: tuple[str, ...] = FIELDS) -> FormErrors:
    """A rate form's errors, empty, with its fields' labels."""
    return FormErrors({name: t(LABELS[name]) for name in names})


def read(form: FormData, t: Translator) -> RateForm:
    """What was typed, the errors found without asking the ledger, and the body to send."""
    values = {name: formatting.form_text(form, name) for name in FIELDS}
    errors = form_errors(t)
    kind = values["kind"].lower()
    if not kind:
        errors["kind"] = t("reason.is_required")
    elif not _KIND.match(kind):
        errors["kind"] = t("rates.error.kind")
    effective_from: date | None = None
    if not values["effective_from"]:
        errors["effective_from"] = t("reason.is_required")
    else:
        try:
            effective_from = formatting.parse_day(values["effective_from"])
        except formatting.InvalidInput:
            errors["effective_from"] = t("form.date_invalid")
    value: Decimal | None = None
    if not values["value"]:
        errors["value"] = t("reason.is_required")
    else:
        try:
            value = parse_value(values["value"], t.lang)
        except InvalidValue:
            errors["value"] = t("rates.error.value")
    if values["unit"] not in UNITS:
        errors["unit"] = t("rates.error.unit")
    if not values["source_url"]:
        errors["source_url"] = t("reason.is_required")
    if errors or effective_from is None or value is None:
        return RateForm(values, errors)
    body: dict[str, Any] = {
        "kind": kind,
        "effective_from": effective_from.isoformat(),
        "value": str(value),
        "unit": values["unit"],
        "parameter": values["parameter"],
        "source_url": values["source_url"],
    }
    return RateForm(values, errors, body)


def read_confirmation(form: FormData, t: Translator) -> RateForm:
    """The source a row was checked against (required; the ledger checks the address)."""
    values = {"source_url": formatting.form_text(form, "source_url")}
    errors = form_errors(t, CONFIRMATION_FIELDS)
    if not values["source_url"]:
        errors.add("source_url", t("reason.is_required"))
        return RateForm(values, errors)
    return RateForm(values, errors, {"source_url": values["source_url"]})


def refused(typed: RateForm, problem: ApiProblem, t: Translator, names: tuple[str, ...]) -> None:
    """The ledger's refusal of a form, merged into its errors: each field error at its
    field; a conflict (409) or a refusal naming no field of the form in the summary."""
    errors = form_errors(t, names)
    if problem.status == 409 and names == CONFIRMATION_FIELDS:
        errors.general(t("rates.error.already_confirmed"))
    else:
        errors.merge_problem(problem, t, fields=names, whole=problem.status == 409)
    typed.errors = errors


def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By kind, then newest first within a kind (by parameter, then newest version, on a
    date with several rows)."""
    by_version = sorted(rows, key=lambda r: int(r["id"]), reverse=True)
    by_parameter = sorted(by_version, key=lambda r: _parameter_key(str(r.get("parameter") or "")))
    by_date = sorted(by_parameter, key=lambda r: str(r["effective_from"]), reverse=True)
    return sorted(by_date, key=lambda r: str(r["kind"]))


def _parameter_key(parameter: str) -> tuple[int, Decimal, str]:
    """Numbers in order (``500`` before ``2500``), words after them."""
    try:
        return (0, Decimal(parameter), "")
    except InvalidOperation:
        return (1, Decimal(0), parameter)


def source_link(url: str | None) -> dict[str, str] | None:
    """A source address as a link (its host as the text); none for anything but http(s)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return {"href": url, "text": parts.hostname.removeprefix("www.")}
