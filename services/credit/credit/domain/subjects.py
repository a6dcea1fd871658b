"""Who a credit report is about: a business by organisasjonsnummer, a person by
fødselsnummer or D-nummer (pure).

Numbers are validated with python-stdnum; the one rule stdnum does not know yet, the
check digits of fødselsnumre issued from 1 January 2032 (Skatteetaten, ``nyttfnr2032``:
the first check's remainder may be 0-3, the second is unchanged), is added here. A
person's number is shown masked (``010175*****``) everywhere but to the bureau.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer, orgnr

_SEPARATORS = re.compile(r"[\s.\-]")


class SubjectKind(StrEnum):
    COMPANY = "company"
    PERSON = "person"


class InvalidSubject(ValueError):
    """Not a valid identifier; ``code`` is the field code the portal translates."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class Subject:
    """A validated subject: ``identifier`` is compact (9 or 11 digits)."""

    kind: SubjectKind
    identifier: str

    @property
    def masked(self) -> str:
        """What lists and specifications show: a person's birth date digits only."""
        if self.kind is SubjectKind.COMPANY:
            return self.identifier
        return self.identifier[:6] + "*****"

    @property
    def is_d_number(self) -> bool:
        return self.kind is SubjectKind.PERSON and int(self.identifier[0]) >= 4


def company(value: str) -> Subject:
    number = _SEPARATORS.sub("", value or "")
    if not (number.isascii() and number.isdigit()) or len(number) != 9:
        raise InvalidSubject("subject.organisation_number", "organisation-number-format")
    try:
        orgnr.validate(number)
    except ValidationError as exc:
        raise InvalidSubject("subject.organisation_number", "organisation-number-invalid") from exc
    return Subject(SubjectKind.COMPANY, number)


def _remainders(d: list[int]) -> tuple[int, int]:
    k1 = sum(w * n for w, n in zip((3, 7, 6, 1, 8, 9, 4, 5, 2, 1), d[:10], strict=True)) % 11
    k2 = sum(w * n for w, n in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1), d, strict=True)) % 11
    return k1, k2


def valid_under_2032_rule(number: str) -> bool:
    """Check digits as issued from 2032 (the first check's remainder 0-3), day and month."""
    d = [int(c) for c in number]
    k1, k2 = _remainders(d)
    day, month = 10 * d[0] + d[1], 10 * d[2] + d[3]
    day = day - 40 if day > 40 else day
    month = month - 40 if 40 < month <= 52 else month
    return k1 in (0, 1, 2, 3) and k2 == 0 and 1 <= day <= 31 and 1 <= month <= 12


def person(value: str) -> Subject:
    number = _SEPARATORS.sub("", value or "")
    if not (number.isascii() and number.isdigit()) or len(number) != 11:
        raise InvalidSubject("subject.national_id", "national-id-format")
    if len(set(number)) == 1:
        raise InvalidSubject("subject.national_id", "national-id-invalid")
    if fodselsnummer.is_valid(number) or valid_under_2032_rule(number):
        return Subject(SubjectKind.PERSON, number)
    raise InvalidSubject("subject.national_id", "national-id-invalid")
