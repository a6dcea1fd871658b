"""Norwegian identifiers of a case's parties and its payment reference.

Validation follows python-stdnum (organisasjonsnummer, fødselsnummer/D-nummer, KID; the
fødselsnummer's and the KID's check digits are computed here in one pass, as every row of
an import needs them, and the unit tests hold them to stdnum's answers); the one rule
stdnum does not know yet, the check digit of numbers issued from 1 January 2032, is
added here (Skatteetaten, folkeregisteret-api-dokumentasjon ``nyttfnr2032.md``): the
remainder of the first check may be 0, 1, 2 or 3, so up to four first check digits are
valid; the second check is unchanged. Gender and century can no longer be read from such
numbers, so a number that only the new rule accepts is checked for a valid day and month
but not for a birth date in the past.
"""

from __future__ import annotations

import re
from calendar import monthrange

from stdnum.exceptions import ValidationError
from stdnum.no import orgnr

_DIGITS = re.compile(r"[0-9]+")
_PLAIN_11_DIGITS = re.compile(r"[0-9]{11}")


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


def _digits(number: str) -> list[int]:
    return [ord(c) - 48 for c in number]


def _valid_under_2032_rule(d: list[int]) -> bool:
    k1_remainder = (
        3 * d[0]
        + 7 * d[1]
        + 6 * d[2]
        + d[3]
        + 8 * d[4]
        + 9 * d[5]
        + 4 * d[6]
        + 5 * d[7]
        + 2 * d[8]
        + d[9]
    ) % 11
    k2_remainder = (
        5 * d[0]
        + 4 * d[1]
        + 3 * d[2]
        + 2 * d[3]
        + 7 * d[4]
        + 6 * d[5]
        + 5 * d[6]
        + 4 * d[7]
        + 3 * d[8]
        + 2 * d[9]
        + d[10]
    ) % 11
    return k1_remainder in (0, 1, 2, 3) and k2_remainder == 0


def _old_rule_check_digits(d: list[int]) -> bool:
    """python-stdnum's ``calc_check_digit1`` and ``2`` (a remainder giving 10 never matches)."""
    k1 = (
        11
        - (
            3 * d[0]
            + 7 * d[1]
            + 6 * d[2]
            + d[3]
            + 8 * d[4]
            + 9 * d[5]
            + 4 * d[6]
            + 5 * d[7]
            + 2 * d[8]
        )
    ) % 11
    k2 = (
        11
        - (
            5 * d[0]
            + 4 * d[1]
            + 3 * d[2]
            + 2 * d[3]
            + 7 * d[4]
            + 6 * d[5]
            + 5 * d[6]
            + 4 * d[7]
            + 3 * d[8]
            + 2 * d[9]
        )
    ) % 11
    return k1 == d[9] and k2 == d[10]


def _birth_date_problem(d: list[int]) -> str | None:
    """Why python-stdnum's ``get_birth_date`` refuses the number, or ``None`` (its steps)."""
    day, month, year = 10 * d[0] + d[1], 10 * d[2] + d[3], 10 * d[4] + d[5]
    individual = 100 * d[6] + 10 * d[7] + d[8]
    if day >= 80:
        return "This number is an FH-number, and does not contain birth date information by design."
    if day > 40:
        day -= 40
    if month > 40:
        month -= 40
    if individual < 500:
        year += 1900
    elif individual < 750 and year >= 54:
        year += 1800
    elif individual < 1000 and year < 40:
        year += 2000
    elif 900 <= individual < 1000 and year >= 40:
        year += 1900
    else:
        return "The birthdate century cannot be determined"
    if not (1 <= month <= 12 and 1 <= day <= monthrange(year, month)[1]):
        return "The number does not contain valid birth date information."
    return None


def _valid_day_and_month(d: list[int]) -> bool:
    day, month = 10 * d[0] + d[1], 10 * d[2] + d[3]
    if day > 40:  # D-nummer: first digit + 4
        day -= 40
    if month > 80:  # synthetic test numbers (Tenor) are not accepted here
        return False
    if month > 40:  # H-nummer: month + 40
        month -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def national_identity_number(value: str) -> str:
    """A valid fødselsnummer or D-nummer (11 digits), under the old or the 2032 rule.

    The old rule is python-stdnum's (``stdnum.no.fodselsnummer``: both check digits and a
    birth date with a known century), done here on the compacted digits in one pass: it
    is checked for every row of an import, and stdnum cleans and re-parses the number in
    each of its steps (the unit tests hold the two to the same answers).
    """
    number = value if _PLAIN_11_DIGITS.fullmatch(value) else _compact(value)
    if not (len(number) == 11 and _DIGITS.fullmatch(number)):
        raise InvalidIdentifier("a national identity number has 11 digits")
    if len(set(number)) == 1:
        raise InvalidIdentifier("not a valid national identity number")
    d = _digits(number)
    if _old_rule_check_digits(d):
        problem = _birth_date_problem(d)  # a real date and a known century
        if problem is None:
            # A birth date "in the future" is not refused: numbers issued under the 2032
            # rule no longer tell the century, so the date read from them may be a century
            # off.
            return number
        if _valid_under_2032_rule(d) and _valid_day_and_month(d):
            return number  # issued under the 2032 rule: no century in the number
        raise InvalidIdentifier(f"not a valid national identity number ({problem})")
    if _valid_under_2032_rule(d) and _valid_day_and_month(d):
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
    return base + luhn_check_digit(base)


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_check_digit(digits: str) -> str:
    """The MOD10 (Luhn) check digit of a string of digits (``stdnum.luhn.calc_check_digit``)."""
    total = 0
    doubled = True  # the digit next to the check digit is doubled
    for char in reversed(digits):
        value = ord(char) - 48
        total += _LUHN_DOUBLED[value] if doubled else value
        doubled = not doubled
    return str(-total % 10)


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
