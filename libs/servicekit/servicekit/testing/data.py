"""Unique, realistic test data that several services' tests need."""

from __future__ import annotations

import secrets

_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def organisation_number() -> str:
    """A random 9-digit organisasjonsnummer with a valid modulus-11 check digit.

    Test data only: services validate organisation numbers with python-stdnum, and the
    identity service's tests check that these pass that validation.
    """
    while True:
        digits = [secrets.randbelow(10) for _ in range(8)]
        if digits[0] not in (8, 9):  # real organisation numbers start with 8 or 9
            continue
        remainder = sum(w * d for w, d in zip(_ORGNR_WEIGHTS, digits, strict=True)) % 11
        check = (11 - remainder) % 11
        if check == 10:  # no valid check digit for this stem; draw again
            continue
        return "".join(map(str, digits)) + str(check)


def unique_name(prefix: str = "Testfirma") -> str:
    """A company name no other test uses (``Testfirma 3f9c1a AS``)."""
    return f"{prefix} {secrets.token_hex(3)} AS"


_FNR_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def national_identity_number(*, d_number: bool = False) -> str:
    """A random valid fødselsnummer (or D-nummer) of an adult, under the pre-2032 rule.

    Test data only: the cases service validates these with python-stdnum.
    """
    while True:
        day = 1 + secrets.randbelow(28)
        month = 1 + secrets.randbelow(12)
        year = 50 + secrets.randbelow(50)  # born 1950-1999
        individual = secrets.randbelow(500)  # 000-499: 1900-1999
        stem = f"{day + (40 if d_number else 0):02d}{month:02d}{year:02d}{individual:03d}"
        digits = [int(c) for c in stem]
        k1 = (11 - sum(w * d for w, d in zip(_FNR_K1, digits, strict=True)) % 11) % 11
        if k1 == 10:
            continue
        digits.append(k1)
        k2 = (11 - sum(w * d for w, d in zip(_FNR_K2, digits, strict=True)) % 11) % 11
        if k2 == 10:
            continue
        return stem + str(k1) + str(k2)
