"""Money is integer øre; the one rounding rule lives here.

Every amount is computed exactly (integers and :class:`fractions.Fraction`, never float)
and rounded to whole øre **once**, where it becomes a booked amount, half away from zero
(:func:`round_ore`). Interest is the exact sum over every day of every rate period up to
the date, rounded once (never per day or per period). The one rule set by law on top of it:
court fees (multiples of the rettsgebyr) are rounded *down* to whole kroner
(rettsgebyrloven § 6a, :func:`floor_krone`); and a fee the law caps as a fraction of the
inkassosats (purregebyr, inkassoforskriften § 1-2) is never rounded up (:func:`floor_ore`;
with a whole-krone inkassosats it is whole øre and nothing is rounded).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

ORE_PER_KRONE = 100


def round_ore(amount: Fraction | int) -> int:
    """Round an exact amount of øre to whole øre, half away from zero."""
    if not isinstance(amount, Fraction | int):
        amount = Fraction(amount)
    numerator, denominator = amount.numerator, amount.denominator  # denominator > 0
    whole, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


def floor_ore(amount: Fraction | int) -> int:
    """Round an exact (non-negative) amount of øre down to whole øre: for a fee the law
    caps ("et beløp lik …"), which must never be rounded above the cap."""
    value = Fraction(amount)
    if value < 0:
        raise ValueError("a capped fee is never negative")
    return value.numerator // value.denominator


def floor_krone(amount_ore: Fraction | int) -> int:
    """Round an exact (non-negative) amount down to whole kroner, in øre."""
    value = Fraction(amount_ore)
    if value < 0:
        raise ValueError("court fees are never negative")
    return (value.numerator // (value.denominator * ORE_PER_KRONE)) * ORE_PER_KRONE


def kroner_to_ore(kroner: Decimal) -> Fraction:
    """An amount in kroner (as the rate tables give it) as exact øre."""
    return Fraction(kroner) * ORE_PER_KRONE


def format_nok(amount_ore: int) -> str:
    """``123456`` → ``"1234.56"`` (for messages and files; never for arithmetic)."""
    sign = "-" if amount_ore < 0 else ""
    whole, ore = divmod(abs(amount_ore), ORE_PER_KRONE)
    return f"{sign}{whole}.{ore:02d}"
