"""Amounts and dates as people read them: ``kr 1 234,50`` and ``31.12.2026`` (pure).

Money is integer øre everywhere in the system; only these functions turn it into text
and back. The spaces in an amount are non-breaking (U+00A0), so ``kr 1 234,50`` never
wraps across lines. English pages show ``NOK 1,234.50`` and ``31 Dec 2026``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData

NBSP = "\u00a0"
MINUS = "\u2212"
OSLO = ZoneInfo("Europe/Oslo")
MAX_AMOUNT_ORE = 100_000_000_000  # kr 1 000 000 000,00: the services' own ceiling

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _grouped(whole: int, separator: str) -> str:
    digits = str(whole)
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return separator.join(reversed(groups))


def amount(ore: int, lang: str = "nb") -> str:
    """``123450`` → ``kr 1 234,50`` (``NOK 1,234.50`` in English); negative with a minus."""
    sign = MINUS if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    if lang == "en":
        return f"{sign}NOK{NBSP}{_grouped(whole, ',')}.{cents:02d}"
    return f"kr{NBSP}{sign}{_grouped(whole, NBSP)},{cents:02d}"


def decimal_number(value: Decimal | str | float | int, lang: str = "nb") -> str:
    """``Decimal("1277.000000")`` → ``1 277`` (``1,277`` in English); ``12.25`` → ``12,25``
    (``12.25``): thousands grouped (non-breaking), no trailing zeros."""
    number = Decimal(str(value))
    sign = MINUS if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    fraction = fraction.rstrip("0")
    grouped = _grouped(int(whole), "," if lang == "en" else NBSP)
    if not fraction:
        return f"{sign}{grouped}"
    return f"{sign}{grouped}{'.' if lang == 'en' else ','}{fraction}"


def percent(value: float | None, lang: str = "nb") -> str:
    """``24.2`` → ``24,2 %`` (``24.2 %`` in English), one decimal; ``None`` → a dash."""
    if value is None:
        return "\u2013"
    text = f"{float(value):.1f}"
    return (text if lang == "en" else text.replace(".", ",")) + NBSP + "%"


def amount_input(ore: int | None) -> str:
    """An amount as a form field shows it again: ``1234,50`` (no currency, no grouping)."""
    if ore is None:
        return ""
    whole, cents = divmod(abs(ore), 100)
    return f"{'-' if ore < 0 else ''}{whole},{cents:02d}"


_AMOUNT = re.compile(r"^(?P<whole>\d{1,3}(?:[ .]\d{3})+|\d+)(?:[,.](?P<cents>\d{1,2}))?$")


class InvalidInput(ValueError):
    """What a person typed cannot be read as the value asked for."""


def parse_amount(text: str) -> int:
    """``1 234,50``, ``1234.50``, ``kr 1 234`` → øre; raises :class:`InvalidInput`.

    A comma is the decimal mark; a point is one too when it is followed by one or two
    digits at the end, otherwise it groups thousands (``1.234`` is one thousand…).
    """
    cleaned = text.replace(NBSP, " ").replace("\u202f", " ").strip()
    cleaned = re.sub(r"^(kr\.?|nok)\s*", "", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"\s*(kr|nok|,-)$", "", cleaned, flags=re.IGNORECASE).strip()
    if not cleaned:
        raise InvalidInput("empty")
    if cleaned.startswith(("-", MINUS)):
        raise InvalidInput("negative")
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise InvalidInput("not an amount")
    whole = int(re.sub(r"[ .]", "", match["whole"]))
    cents = int((match["cents"] or "0").ljust(2, "0"))
    ore = whole * 100 + cents
    if ore > MAX_AMOUNT_ORE:
        raise InvalidInput("too large")
    return ore


def day(value: date | str | None, lang: str = "nb") -> str:
    """A calendar date: ``31.12.2026`` (``31 Dec 2026`` in English); ``""`` for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if lang == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return value.strftime("%d.%m.%Y")


def moment(value: datetime | str | None, lang: str = "nb") -> str:
    """A point in time in Oslo: ``31.12.2026 kl. 14:05`` (``31 Dec 2026 14:05``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(OSLO)
    clock = local.strftime("%H:%M")
    if lang == "en":
        return f"{day(local.date(), lang)} {clock}"
    return f"{day(local.date(), lang)} kl.{NBSP}{clock}"


def organisation_number(number: str | None) -> str:
    """``920000002`` → ``920 000 002`` (non-breaking spaces), as it is written; anything
    that is not nine digits as it is."""
    if not number:
        return ""
    compact = number.replace(" ", "").replace(NBSP, "")
    if len(compact) == 9 and compact.isdigit():
        return NBSP.join((compact[:3], compact[3:6], compact[6:]))
    return number


_DAY_NO = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_day(text: str) -> date:
    """``31.12.2026`` or ``2026-12-31`` → a date; raises :class:`InvalidInput`."""
    cleaned = text.strip()
    try:
        match = _DAY_NO.match(cleaned)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        if re.match(r"^\d{4}-\d{2}-\d{2}$", cleaned):
            return date.fromisoformat(cleaned)
    except ValueError as exc:
        raise InvalidInput("no such date") from exc
    raise InvalidInput("not a date")


def today_oslo() -> date:
    return datetime.now(UTC).astimezone(OSLO).date()


def form_text(form: FormData, name: str) -> str:
    """What was typed in a form field, trimmed (``""`` for a missing field or a file)."""
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""
