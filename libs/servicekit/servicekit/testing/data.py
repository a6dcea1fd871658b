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
