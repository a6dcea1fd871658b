"""Dated rule sets: the steps, deadlines and limits of collection, as configuration.

The collection act changes (a new inkassolov is proposed, Prop. 3 L (2025-2026)), so the
rules are data with the date they take effect, never constants in code. A step is taken
under the rule set in force on the day it is taken. A rule set marked as a *proposal* is
kept for comparison and planning but is never in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from cases.domain.calendar import add_days

DebtorKind = Literal["person", "business"]
LetterStep = Literal["inkassovarsel", "betalingsoppfordring"]
"""The letters with a deadline: the inkassovarsel (notice of collection, inkassoloven § 9)
and the betalingsoppfordring (demand for payment, inkassoloven § 10)."""
RemarkAnchor = Literal["betalingsoppfordring", "legal_step"]


@dataclass(frozen=True)
class DebtorRules:
    """The rules that depend on whether the debtor is a person or a business."""

    inkassovarsel_deadline_days: int = 14
    """Minimum days from the day the inkassovarsel is sent (inkassoloven § 9)."""
    betalingsoppfordring_deadline_days: int = 14
    """Minimum days from the day the betalingsoppfordring is sent (inkassoloven § 10)."""
    payment_remark_after: RemarkAnchor = "legal_step"
    """The step a betalingsanmerkning (payment remark to the credit bureaus) counts from."""
    payment_remark_days: int = 30

    def __post_init__(self) -> None:
        if min(self.inkassovarsel_deadline_days, self.betalingsoppfordring_deadline_days) < 1:
            raise ValueError("letter deadlines are at least one day")
        if self.payment_remark_days < 0:
            raise ValueError("payment_remark_days must not be negative")

    def deadline_days(self, step: LetterStep) -> int:
        if step == "inkassovarsel":
            return self.inkassovarsel_deadline_days
        return self.betalingsoppfordring_deadline_days


@dataclass(frozen=True)
class RuleSet:
    """The rules in force from ``effective_from`` until the next rule set takes over."""

    name: str
    effective_from: date
    limitation_years: int = 3
    """General limitation period (foreldelsesloven §§ 2-3): years from the due date."""
    limitation_years_loan: int = 10
    """Loans and claims with a gjeldsbrev (foreldelsesloven § 5)."""
    limitation_years_judgment: int = 10
    """After a dom, rettsforlik or similar decision (foreldelsesloven § 21 nr. 2)."""
    limitation_warning_days: tuple[int, ...] = (90, 30)
    """Warn case handlers this many days before a claim becomes time-barred."""
    roll_deadlines: bool = True
    """Move a deadline that falls on a weekend or public holiday to the next business day.
    Practice, not settled law (domain notes § 1.1), hence a setting."""
    legal_step_within_months: int = 6
    """Legal steps within this many months of the betalingsoppfordring; after that a new
    betalingsoppfordring is needed."""
    payment_plan_review_days: int = 14
    """Days after an avdragsordning's last instalment until a case handler reviews it."""
    max_instalments: int = 120
    person: DebtorRules = field(default_factory=DebtorRules)
    business: DebtorRules = field(
        default_factory=lambda: DebtorRules(payment_remark_after="betalingsoppfordring")
    )
    proposal: bool = False
    """A proposed rule set (not law yet): listed, never in force."""
    source: str = ""

    def __post_init__(self) -> None:
        if self.limitation_years < 1 or self.limitation_years_loan < 1:
            raise ValueError("limitation periods are at least one year")
        warnings = self.limitation_warning_days
        if any(d < 1 for d in warnings) or list(warnings) != sorted(set(warnings), reverse=True):
            raise ValueError("limitation_warning_days must be distinct, positive, largest first")
        if self.legal_step_within_months < 1 or self.payment_plan_review_days < 0:
            raise ValueError("legal_step_within_months ≥ 1 and payment_plan_review_days ≥ 0")
        if self.max_instalments < 1:
            raise ValueError("max_instalments must be at least 1")

    def for_debtor(self, kind: DebtorKind) -> DebtorRules:
        return self.business if kind == "business" else self.person

    def letter_deadline(self, step: LetterStep, sent_on: date, debtor_kind: DebtorKind) -> date:
        """The deadline a letter sent on ``sent_on`` gives: the minimum days from the day it
        is sent (so a 14-day deadline ends on the same weekday), rolled to a business day
        when the rule set says so."""
        days = self.for_debtor(debtor_kind).deadline_days(step)
        return add_days(sent_on, days, roll=self.roll_deadlines)


class NoRuleSet(LookupError):
    """No rule set is in force on the date asked for."""


@dataclass(frozen=True)
class RuleBook:
    """Every rule set, oldest first (proposals included, but never in force)."""

    rule_sets: tuple[RuleSet, ...]

    def __post_init__(self) -> None:
        dates = [r.effective_from for r in self.rule_sets if not r.proposal]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("rule sets in force must be ordered by distinct effective dates")
        names = [r.name for r in self.rule_sets]
        if len(set(names)) != len(names):
            raise ValueError("rule set names must be unique")

    def in_force(self, on: date) -> RuleSet:
        """The rule set in force on ``on`` (never a proposal)."""
        current: RuleSet | None = None
        for rule_set in self.rule_sets:
            if not rule_set.proposal and rule_set.effective_from <= on:
                current = rule_set
        if current is None:
            raise NoRuleSet(f"no rule set is in force on {on.isoformat()}")
        return current

    @property
    def by_name(self) -> Mapping[str, RuleSet]:
        return {r.name: r for r in self.rule_sets}
