"""The Norwegian business calendar: public holidays, business days, rolling a date forward.

The public holidays (helligdager and høytidsdager) are those of helligdagsloven
(lov 24. februar 1995 nr. 12) and of lov om 1. og 17. mai som høgtidsdagar: New Year's Day,
Maundy Thursday (skjærtorsdag), Good Friday (langfredag), Easter Sunday and Monday,
1 May, 17 May, Ascension Day (Kristi himmelfartsdag), Whit Sunday and Monday (pinse) and
Christmas Day and Boxing Day. Christmas Eve and New Year's Eve are ordinary days by law.
A business day is a weekday that is not a public holiday.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

MIN_YEAR = 1900
MAX_YEAR = 2299
"""The years the calendar answers for (Easter by the Gregorian computus)."""


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"the calendar covers {MIN_YEAR}-{MAX_YEAR}, not {year}")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=512)
def public_holidays(year: int) -> Mapping[date, str]:
    """Every Norwegian public holiday of ``year`` with its Norwegian name."""
    easter = easter_sunday(year)

    def after_easter(days: int) -> date:
        return easter + timedelta(days=days)

    named = [
        (date(year, 1, 1), "Første nyttårsdag"),
        (after_easter(-3), "Skjærtorsdag"),
        (after_easter(-2), "Langfredag"),
        (easter, "Første påskedag"),
        (after_easter(1), "Andre påskedag"),
        (date(year, 5, 1), "Offentlig høytidsdag (1. mai)"),
        (date(year, 5, 17), "Grunnlovsdag (17. mai)"),
        (after_easter(39), "Kristi himmelfartsdag"),
        (after_easter(49), "Første pinsedag"),
        (after_easter(50), "Andre pinsedag"),
        (date(year, 12, 25), "Første juledag"),
        (date(year, 12, 26), "Andre juledag"),
    ]
    holidays: dict[date, str] = {}
    for day, name in named:  # two may fall on one day (17 May 2027 is andre pinsedag)
        holidays[day] = f"{holidays[day]} / {name}" if day in holidays else name
    return MappingProxyType(dict(sorted(holidays.items())))


def is_public_holiday(day: date) -> bool:
    return day in public_holidays(day.year)


def is_business_day(day: date) -> bool:
    """A weekday (Monday to Friday) that is not a public holiday."""
    return day.weekday() < 5 and not is_public_holiday(day)


def next_business_day(day: date) -> date:
    """``day`` itself if it is a business day, else the first business day after it."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_days(start: date, days: int, *, roll: bool) -> date:
    """``days`` calendar days after ``start``; with ``roll``, moved to a business day."""
    end = start + timedelta(days=days)
    return next_business_day(end) if roll else end


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it has fewer days."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (first_of_next - timedelta(days=1)).day
    return date(year, month + 1, min(start.day, last_day))
