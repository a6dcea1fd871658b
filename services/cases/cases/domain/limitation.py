"""Limitation (foreldelse) of a claim.

The general period is three years from the due date (foreldelsesloven §§ 2-3); it is
interrupted only by the debtor's acknowledgement (§ 14, including a payment) or by legal
steps (§ 15), after which it runs again from that day. The period's length is part of the
dated rule set, not a constant here.
"""

from __future__ import annotations

from datetime import date


def years_after(start: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def limitation_date(due_date: date, years: int) -> date:
    """When a claim that fell due on ``due_date`` becomes time-barred, absent interruptions."""
    return years_after(due_date, years)
