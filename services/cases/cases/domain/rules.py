"""Dated rule sets: the steps, deadlines and limits of collection, as configuration.

The collection act changes (a new inkassolov is proposed, Prop. 3 L (2025-2026)), so the
rules are data with the date they take effect, never constants in code. A step is taken
under the rule set in force on the day it is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RuleSet:
    """The rules in force from ``effective_from`` until the next rule set takes over."""

    name: str
    effective_from: date
    limitation_years: int
    """General limitation period (foreldelsesloven § 2): years from the due date."""


class NoRuleSet(LookupError):
    """No rule set is in force on the date asked for."""


@dataclass(frozen=True)
class RuleBook:
    """Every rule set, oldest first."""

    rule_sets: tuple[RuleSet, ...]

    def __post_init__(self) -> None:
        dates = [r.effective_from for r in self.rule_sets]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("rule sets must be ordered by distinct effective dates")

    def in_force(self, on: date) -> RuleSet:
        """The rule set in force on ``on``."""
        current: RuleSet | None = None
        for rule_set in self.rule_sets:
            if rule_set.effective_from <= on:
                current = rule_set
        if current is None:
            raise NoRuleSet(f"no rule set is in force on {on.isoformat()}")
        return current
