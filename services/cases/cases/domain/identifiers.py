"""Norwegian identifiers of a case's parties and its payment reference.

Validation is python-stdnum's (organisasjonsnummer, fødselsnummer/D-nummer, KID); the one
rule stdnum does not know yet, the check digit of numbers issued from 1 January 2032, is
added here (Skatteetaten, folkeregisteret-api-dokumentasjon ``nyttfnr2032.md``): the
remainder of the first check may be 0, 1, 2 or 3, so up to four first check digits are
valid; the second check is unchanged. Gender and century can no longer be read from such
numbers, so a number that only the new rule accepts is checked for a valid day and month
but not for a birth date in the past.
"""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer, orgnr

_DIGITS = re.compile(r"\d+")
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


class InvalidIdentifier(ValueError):
    """An identifier that is not valid; the message says why, in plain words."""


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value)


def organisation_number(value: str) -> str:
    """A valid organisasjonsnummer (9 digits, MOD11), compacted."""
    number = _compact(value)
    try:
        return str(orgnr.validate(number))
    except ValidationError as exc:
        raise InvalidIdentifier(f"not a valid organisasjonsnummer ({exc})") from exc


def _valid_under_2032_rule(number: str) -> bool:
    digits = [int(c) for c in number]
    k1_remainder = (
        sum(w * d for w, d in zip(_K1_WEIGHTS, digits[:9], strict=True)) + digits[9]
    ) % 11
    k2_remainder = sum(w * d for w, d in zip(_K2_WEIGHTS, digits[:10], strict=True)) + digits[10]
    return k1_remainder in (0, 1, 2, 3) and k2_remainder % 11 == 0


def _valid_day_and_month(number: str) -> bool:
    day, month = int(number[0:2]), int(number[2:4])
    if day > 40:  # D-nummer: first digit + 4
        day -= 40
    if month > 80:  # synthetic test numbers (Tenor) are not accepted here
        return False
    if month > 40:  # H-nummer: month + 40
        month -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def national_identity_number(value: str) -> str:
    """A valid fødselsnummer or D-nummer (11 digits), under the old or the 2032 rule."""
    number = _compact(value)
    if not (len(number) == 11 and _DIGITS.fullmatch(number)):
        raise InvalidIdentifier("a national identity number has 11 digits")
    if len(set(number)) == 1:
        raise InvalidIdentifier("not a valid national identity number")
    # python-stdnum's own steps, called on the compacted number (``validate`` would clean
    # it twice more, the larger part of an import row's cost).
    old_rule = number[9] == fodselsnummer.calc_check_digit1(number) and number[
        10
    ] == fodselsnummer.calc_check_digit2(number)
    if old_rule:
        try:
            fodselsnummer.get_birth_date(number)  # a real date and a known century
        except ValidationError as exc:
            if _valid_under_2032_rule(number) and _valid_day_and_month(number):
                return number  # issued under the 2032 rule: no century in the number
            raise InvalidIdentifier(f"not a valid national identity number ({exc})") from exc
        # A birth date "in the future" is not refused: numbers issued under the 2032 rule
        # no longer tell the century, so the date read from them may be a century off.
        return number
    if _valid_under_2032_rule(number) and _valid_day_and_month(number):
        return number
    raise InvalidIdentifier("the check digits of the national identity number are wrong")


def kid_for(sequence: int, *, length: int = 11) -> str:
    """The KID (payment reference) of a case: its sequence number padded, MOD10 check digit.

    Fixed length, so that OCR and camt.054 lines map to a case without lookups
    (domain notes §3.3). The check digit is Luhn (MOD10).
    """
    if sequence <= 0:
        raise ValueError("sequence must be positive")
    base = str(sequence).zfill(length - 1)
    if len(base) != length - 1:
        raise ValueError(f"sequence {sequence} does not fit a KID of {length} digits")
    return base + luhn.calc_check_digit(base)


def case_number_for(sequence: int) -> str:
    """The readable case number people quote: ``IC-`` and the sequence, at least 7 digits."""
    if sequence <= 0:
        raise ValueError("sequence must be positive")
    return f"IC-{sequence:07d}"


def batch_number_for(sequence: int) -> str:
    """The readable number of a registration batch (and its order confirmation)."""
    if sequence <= 0:
        raise ValueError("sequence must be positive")
    return f"B-{sequence:07d}"
