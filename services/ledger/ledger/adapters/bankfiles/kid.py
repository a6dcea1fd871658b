"""KID (kundeidentifikasjon, the payment reference on a Norwegian giro) and its check digit.

A KID has 2 to 25 characters: digits, the last one a check digit computed MOD10 (Luhn) or
MOD11 (weights 2, 3, 4, 5, 6, 7, 2, … from the right; a remainder giving 10 is written
``-``). Which of the two a payee uses is agreed with its bank in the OCR agreement, so a
reader may accept either. Sources: Bankenes Standardiseringskontor, Telepay 2.1 (2011),
"Moduluskontroll KID"; domain notes §3.3. MOD10 is python-stdnum's Luhn; python-stdnum has
no KID MOD11 (it has no ``stdnum.no.kid``), so that one is computed here.
"""

from __future__ import annotations

import re
from typing import Literal

from stdnum import luhn

KidScheme = Literal["mod10", "mod11", "either"]
"""Which check digit the agency's OCR agreement uses; ``either`` accepts both."""

KID_MIN_LENGTH = 2
KID_MAX_LENGTH = 25

_KID = re.compile(r"[0-9]{1,24}[0-9-]")
_MOD11_WEIGHTS = (2, 3, 4, 5, 6, 7)


def mod11_check_digit(base: str) -> str:
    """The MOD11 check digit of a KID's digits (``-`` where the check would be 10)."""
    total = sum(
        int(digit) * _MOD11_WEIGHTS[position % len(_MOD11_WEIGHTS)]
        for position, digit in enumerate(reversed(base))
    )
    check = 11 - total % 11
    if check == 11:
        return "0"
    if check == 10:
        return "-"
    return str(check)


def mod10_check_digit(base: str) -> str:
    """The MOD10 (Luhn) check digit of a KID's digits."""
    return str(luhn.calc_check_digit(base))


def kid_problem(kid: str, scheme: KidScheme = "either") -> str | None:
    """Why ``kid`` is not a valid KID under ``scheme``, or ``None`` when it is valid."""
    if not KID_MIN_LENGTH <= len(kid) <= KID_MAX_LENGTH:
        return f"a KID has {KID_MIN_LENGTH} to {KID_MAX_LENGTH} characters, not {len(kid)}"
    if not _KID.fullmatch(kid):
        return "a KID has only digits (its MOD11 check digit may be '-')"
    base, check = kid[:-1], kid[-1]
    mod10_ok = check != "-" and mod10_check_digit(base) == check
    mod11_ok = mod11_check_digit(base) == check
    if scheme == "mod10" and not mod10_ok:
        return "the KID's MOD10 check digit is wrong"
    if scheme == "mod11" and not mod11_ok:
        return "the KID's MOD11 check digit is wrong"
    if scheme == "either" and not (mod10_ok or mod11_ok):
        return "the KID's check digit is wrong (neither MOD10 nor MOD11)"
    return None


def is_valid_kid(kid: str, scheme: KidScheme = "either") -> bool:
    """Whether ``kid`` is a valid KID under ``scheme``."""
    return kid_problem(kid, scheme) is None
