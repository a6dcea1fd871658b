"""Limitation (foreldelse) of a claim.

The general period is three years (foreldelsesloven § 2) from the day the creditor could
first demand payment, the due date (§ 3 nr. 1); ten years for a pengelån or a claim with
a gjeldsbrev (§ 5). It is interrupted only by the debtor's acknowledgement (§ 14,
including a part payment or an agreed avdragsordning) or by legal steps (§ 15:
forliksklage; § 17: utleggsbegjæring), after which a new period runs from that day; after
a judgment (dom, rettsforlik) the new period is ten years (§ 21 nr. 2). Collection letters
do not interrupt it. An interruption after the claim is time-barred does not revive it.
The periods and the warning days are part of the dated rule set, not constants here.

The last day (§ 29 nr. 1, ADR 0050): the day of the last year that has the start day's
number in the month ("samme dato"), the start day itself not counted; a month without
that day ends the period on its last day (29 February → 28 February). A last day on a
Saturday, Sunday or public holiday moves to the next business day (§ 29 nr. 2). The
period runs out at the end of the last day: the claim is time-barred from the day after.
The **limitation date** kept per claim is that first time-barred day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from cases.domain.calendar import add_months, next_business_day
from cases.domain.rules import RuleSet

Interruption = Literal["acknowledgement", "part_payment", "forliksklage", "utlegg", "judgment"]
"""What interrupts limitation: the debtor's acknowledgement or part payment (§ 14), a
forliksklage (§ 15), an utleggsbegjæring (§ 17) or a judgment (§ 21)."""
ClaimType = Literal["ordinary", "loan"]
"""``loan``: a pengelån or a claim with a gjeldsbrev (foreldelsesloven § 5, ten years);
``ordinary``: every other claim (§ 2, three years)."""
CLAIM_TYPES: tuple[ClaimType, ...] = ("ordinary", "loan")

EXPIRED = "expired"


def years_after(start: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    return add_months(start, 12 * years)


def last_day(start: date, years: int) -> date:
    """The last day of a period of ``years`` counted from ``start`` (foreldelsesloven § 29):
    the day with the same number ``years`` later (or the month's last day), moved to the
    next business day when it is a Saturday, Sunday or public holiday."""
    return next_business_day(years_after(start, years))


def limitation_date(due_date: date, years: int) -> date:
    """The first day a claim that fell due on ``due_date`` is time-barred, absent
    interruptions: the day after the period's last day."""
    return last_day(due_date, years) + timedelta(days=1)


def period_years(rules: RuleSet, claim_type: ClaimType = "ordinary") -> int:
    return rules.limitation_years_loan if claim_type == "loan" else rules.limitation_years


def claim_type_of(claim: object) -> ClaimType:
    """The claim type of anything with a ``claim_type`` (a registration's claim, a row)."""
    return "loan" if getattr(claim, "claim_type", "ordinary") == "loan" else "ordinary"


def is_time_barred(limitation: date, on: date) -> bool:
    """Whether a claim with ``limitation`` (its first time-barred day) is barred on ``on``."""
    return on >= limitation


def after_interruption(
    current: date,
    interruption: Interruption,
    on: date,
    rules: RuleSet,
    claim_type: ClaimType = "ordinary",
) -> date:
    """The limitation date after ``interruption`` on ``on``: a new period from that day.

    An interruption never shortens the time left (a later date already running stays),
    and one on or after ``current`` (the claim was already time-barred) changes nothing:
    an acknowledgement, part payment or payment plan does not revive a barred claim
    (a barred claim is lost, § 24; only what runs can be interrupted, §§ 14-17).
    """
    if is_time_barred(current, on):
        return current
    if interruption == "judgment":
        years = rules.limitation_years_judgment
    else:
        years = period_years(rules, claim_type)
    return max(current, limitation_date(on, years))


INTERRUPTIONS: tuple[Interruption, ...] = (
    "acknowledgement",
    "part_payment",
    "forliksklage",
    "utlegg",
    "judgment",
)


@dataclass(frozen=True, slots=True)
class Recorded:
    """An interruption recorded on a case (a fact): what, on which day, and whether it was
    withdrawn since (a payment the bank or a correction took back no longer acknowledges
    the debt, ADR 0068)."""

    on: date
    interruption: Interruption
    withdrawn: bool = False


def merged(before: Recorded | None, arrived: Recorded) -> Recorded:
    """The fact kept under one key (a payment's id) when ``arrived`` comes after ``before``:
    the first day recorded stays and a withdrawal is final, so a payment and its reversal
    give the same fact in either order, and a redelivery changes nothing."""
    if before is None:
        return arrived
    return replace(before, withdrawn=before.withdrawn or arrived.withdrawn)


@dataclass(frozen=True, slots=True)
class Limitation:
    """A claim's limitation as its facts give it (:func:`limitation_of`)."""

    limitation_date: date
    """The first time-barred day."""
    runs_from: date | None
    """The interruption the running period counts from (``None``: from the due date)."""
    not_revived: tuple[date, ...]
    """The days of interruptions on or after the claim was already time-barred then."""


def limitation_of(
    due_date: date,
    claim_type: ClaimType,
    facts: Iterable[Recorded | tuple[date, Interruption]],
    rules: RuleSet,
) -> Limitation:
    """A claim's limitation from its due date and the set of interruptions recorded on its
    case, whatever order they were recorded in (ADR 0068).

    The interruptions still standing (not withdrawn) are folded in date order: each one
    before the first time-barred day the earlier ones give starts a new period from its day
    (never a shorter one); one on or after it changes nothing, now or later (no revival,
    ADR 0050). So the period runs from the latest interruption that was dated before the
    claim was barred as of that day. Interruptions on the same day commute."""
    standing = {
        (f.on, f.interruption) if isinstance(f, Recorded) else f
        for f in facts
        if not (isinstance(f, Recorded) and f.withdrawn)
    }
    current = limitation_date(due_date, period_years(rules, claim_type))
    runs_from: date | None = None
    late: list[date] = []
    for on, interruption in sorted(standing):
        if is_time_barred(current, on):
            late.append(on)
            continue
        renewed = after_interruption(current, interruption, on, rules, claim_type)
        if renewed != current:
            current, runs_from = renewed, on
    return Limitation(current, runs_from, tuple(late))


def restated(
    due_date: date,
    claim_type: ClaimType,
    interruptions: Iterable[tuple[date, Interruption]],
    rules: RuleSet,
) -> date:
    """A claim's limitation date by the rules now (ADR 0050), from its due date and the
    interruptions recorded on it, in date order: what a case registered before those rules
    should carry. An interruption on or after the date it then has changes nothing."""
    return limitation_of(due_date, claim_type, interruptions, rules).limitation_date


def warning_level(limitation: date, today: date, rules: RuleSet) -> str | None:
    """The warning a claim has reached on ``today``: ``"90d"``, ``"30d"`` (by the rule set's
    warning days), ``"expired"``, or ``None`` while it is further away."""
    if is_time_barred(limitation, today):
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
