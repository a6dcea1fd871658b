"""Recovery codes: ten single-use codes to sign in when the authenticator is lost.

Each code has 80 bits from a CSPRNG, shown once as ``XXXX-XXXX-XXXX-XXXX`` and stored
only as a hash (ASVS 6.5.2 to 6.5.4).
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
COUNT = 10
LENGTH = 16


def new_codes(count: int = COUNT) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, LENGTH, 4)))
    return codes


def normalise(code: str) -> str:
    return code.strip().replace("-", "").replace(" ", "").upper()
