"""Rule sets read from the TOML files shipped in ``cases/rulesets/``.

The reader is strict: an unknown or missing key is an error naming the file, so a typo in
a rule file stops the service at start instead of silently using a default.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from importlib import resources
from typing import Any, cast

from cases.domain.rules import DebtorRules, RemarkAnchor, RuleBook, RuleSet

_TOP = {
    "name",
    "effective_from",
    "proposal",
    "source",
    "roll_deadlines",
    "legal_step_within_months",
    "payment_plan_review_days",
    "max_instalments",
    "limitation",
    "person",
    "business",
}
_LIMITATION = {"years", "loan_years", "judgment_years", "warning_days"}
_DEBTOR = {
    "inkassovarsel_deadline_days",
    "betalingsoppfordring_deadline_days",
    "payment_remark_after",
    "payment_remark_days",
}
_ANCHORS = ("betalingsoppfordring", "legal_step")


class RuleFileError(ValueError):
    """A rule file that cannot be read as a rule set."""


def _table(doc: Mapping[str, Any], key: str, allowed: set[str], where: str) -> Mapping[str, Any]:
    table = doc.get(key)
    if not isinstance(table, Mapping):
        raise RuleFileError(f"{where}: [{key}] is missing")
    _only(table, allowed, f"{where} [{key}]")
    missing = allowed - set(table)
    if missing:
        raise RuleFileError(f"{where} [{key}]: missing {sorted(missing)}")
    return table


def _only(table: Iterable[str], allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise RuleFileError(f"{where}: unknown keys {sorted(unknown)}")


def _debtor(table: Mapping[str, Any], where: str) -> DebtorRules:
    anchor = str(table["payment_remark_after"])
    if anchor not in _ANCHORS:
        raise RuleFileError(f"{where}: payment_remark_after must be one of {_ANCHORS}")
    return DebtorRules(
        inkassovarsel_deadline_days=int(table["inkassovarsel_deadline_days"]),
        betalingsoppfordring_deadline_days=int(table["betalingsoppfordring_deadline_days"]),
        payment_remark_after=cast(RemarkAnchor, anchor),
        payment_remark_days=int(table["payment_remark_days"]),
    )


def parse_rule_set(doc: Mapping[str, Any], where: str = "rule set") -> RuleSet:
    """A :class:`RuleSet` from one parsed TOML document."""
    _only(doc, _TOP, where)
    limitation = _table(doc, "limitation", _LIMITATION, where)
    person = _table(doc, "person", _DEBTOR, where)
    business = _table(doc, "business", _DEBTOR, where)
    try:
        return RuleSet(
            name=str(doc["name"]),
            effective_from=date.fromisoformat(str(doc["effective_from"])),
            proposal=bool(doc.get("proposal", False)),
            source=str(doc.get("source", "")),
            roll_deadlines=bool(doc["roll_deadlines"]),
            legal_step_within_months=int(doc["legal_step_within_months"]),
            payment_plan_review_days=int(doc["payment_plan_review_days"]),
            max_instalments=int(doc["max_instalments"]),
            limitation_years=int(limitation["years"]),
            limitation_years_loan=int(limitation["loan_years"]),
            limitation_years_judgment=int(limitation["judgment_years"]),
            limitation_warning_days=tuple(int(d) for d in limitation["warning_days"]),
            person=_debtor(person, f"{where} [person]"),
            business=_debtor(business, f"{where} [business]"),
        )
    except KeyError as exc:
        raise RuleFileError(f"{where}: missing {exc.args[0]!r}") from exc
    except ValueError as exc:
        raise RuleFileError(f"{where}: {exc}") from exc


def load_rule_book() -> RuleBook:
    """Every shipped rule set, ordered by the date it takes effect."""
    folder = resources.files("cases") / "rulesets"
    sets = [
        parse_rule_set(tomllib.loads(item.read_text(encoding="utf-8")), item.name)
        for item in folder.iterdir()
        if item.name.endswith(".toml")
    ]
    return RuleBook(tuple(sorted(sets, key=lambda r: (r.effective_from, r.name))))
