"""Limitation (foreldelse) of a claim.

The general period is three years from the due date (foreldelsesloven §§ 2-3; ten for
loans and claims with a gjeldsbrev, § 5). It is interrupted only by the debtor's
acknowledgement (§ 14, including a part payment or an agreed avdragsordning) or by legal
steps (§ 15: forliksklage; § 17: utleggsbegjæring), after which a new period runs from
that day; after a judgment (dom, rettsforlik) the new period is ten years (§ 21 nr. 2).
Collection letters do not interrupt it. The periods and the warning days are part of the
dated rule set, not constants here.

A claim is taken as time-barred from its limitation date on (the cautious reading: no
letter is sent on a claim on the day it may have run out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from cases.domain.rules import RuleSet

Interruption = Literal["acknowledgement", "part_payment", "forliksklage", "utlegg", "judgment"]
"""What interrupts limitation: the debtor's acknowledgement or part payment (§ 14), a
forliksklage (§ 15), an utleggsbegjæring (§ 17) or a judgment (§ 21)."""
ClaimBasis = Literal["ordinary", "loan"]

EXPIRED = "expired"


def years_after(start: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def limitation_date(due_date: date, years: int) -> date:
    """When a claim that fell due on ``due_date`` becomes time-barred, absent interruptions."""
    return years_after(due_date, years)


def period_years(rules: RuleSet, basis: ClaimBasis = "ordinary") -> int:
    return rules.limitation_years_loan if basis == "loan" else rules.limitation_years


def after_interruption(
    current: date,
    interruption: Interruption,
    on: date,
    rules: RuleSet,
    basis: ClaimBasis = "ordinary",
) -> date:
    """The limitation date after ``interruption`` on ``on``: a new period from that day.

    An interruption never shortens the time left (a later date already running stays).
    """
    if interruption == "judgment":
        years = rules.limitation_years_judgment
    else:
        years = period_years(rules, basis)
    return max(current, years_after(on, years))


def warning_level(limitation: date, today: date, rules: RuleSet) -> str | None:
    """The warning a claim has reached on ``today``: ``"90d"``, ``"30d"`` (by the rule set's
    warning days), ``"expired"``, or ``None`` while it is further away."""
    if today >= limitation:
        return EXPIRED
    level: str | None = None
    for days in rules.limitation_warning_days:  # largest first
        if today >= limitation - timedelta(days=days):
            level = f"{days}d"
    return level


def level_rank(level: str | None) -> int:
    """Orders warning levels: none < 90d < 30d < expired (fewer days is more urgent)."""
    if level is None:
        return 0
    if level == EXPIRED:
        return 1_000_000
    return 1_000_000 - int(level.removesuffix("d"))


def next_check(limitation: date, today: date, rules: RuleSet) -> date | None:
    """The first day after ``today`` on which the warning level of ``limitation`` rises
    (``None`` once it has expired)."""
    thresholds = [limitation - timedelta(days=d) for d in rules.limitation_warning_days]
    future = [t for t in (*thresholds, limitation) if t > today]
    return min(future) if future else None


def earliest_check(limitations: Iterable[date], today: date, rules: RuleSet) -> date | None:
    """The next day the warning level of any of ``limitations`` rises."""
    checks = [c for c in (next_check(d, today, rules) for d in limitations) if c is not None]
    return min(checks) if checks else None


@dataclass(frozen=True)
class ClaimWarning:
    """A claim whose warning level rose: from ``previous`` to ``level``."""

    position: int
    limitation_date: date
    previous: str | None
    level: str


def new_warnings(
    claims: Iterable[tuple[int, date, str | None]], today: date, rules: RuleSet
) -> list[ClaimWarning]:
    """Of ``(position, limitation date, level warned)`` per claim, those due a warning now."""
    found = []
    for position, limitation, warned in claims:
        level = warning_level(limitation, today, rules)
        if level is not None and level_rank(level) > level_rank(warned):
            found.append(ClaimWarning(position, limitation, warned, level))
    return found
