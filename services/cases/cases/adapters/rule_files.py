"""Rule sets read from the TOML files shipped in ``cases/rulesets/``."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from typing import Any

from cases.domain.rules import RuleBook, RuleSet


def _rule_set(doc: dict[str, Any]) -> RuleSet:
    return RuleSet(
        name=str(doc["name"]),
        effective_from=date.fromisoformat(str(doc["effective_from"])),
        limitation_years=int(doc["limitation_years"]),
    )


def load_rule_book() -> RuleBook:
    """Every shipped rule set, ordered by the date it takes effect."""
    folder = resources.files("cases") / "rulesets"
    sets = [
        _rule_set(tomllib.loads(item.read_text(encoding="utf-8")))
        for item in folder.iterdir()
        if item.name.endswith(".toml")
    ]
    return RuleBook(tuple(sorted(sets, key=lambda r: r.effective_from)))
