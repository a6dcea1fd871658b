"""Money as the documents print it: integer øre in, Norwegian kroner text out."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def round_half_up(value: Fraction) -> int:
    """Round a fraction of øre to whole øre, halves away from zero (as the ledger does)."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole = int(magnitude)
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return sign * whole


def kroner(ore: int) -> str:
    """``1234567`` → ``12 345,67`` (a narrow no-break space groups thousands)."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{cents:02d}"


def decimal_text(ore: int) -> str:
    """``1234567`` → ``12345.67``: for machine-read files (CSV), no grouping."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole}.{cents:02d}"


def percent(rate: Decimal) -> str:
    """A rate as bokmål prints it: ``Decimal("12.5000")`` → ``12,50`` (two decimals, more
    only when the rate has them: ``12,125``)."""
    two = rate.quantize(Decimal("0.01"))
    shown = two if two == rate else rate.normalize()
    return format(shown, "f").replace(".", ",")
