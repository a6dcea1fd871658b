"""Password rules (NIST SP 800-63B, OWASP ASVS 5.0 level 2).

Length only: at least 12 characters (a second factor is always required), up to 128, any
characters, never truncated or case-folded; no composition rules and no forced expiry. A
password is refused when it is on the offline list of common and breached passwords, is
built from context words (the user's e-mail, name, the organisation, "infocenter"), or is
a pattern an attacker tries early (zxcvbn's estimate). Passwords are NFKC-normalised
before hashing and before verifying, so the same password typed on another keyboard
matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from auth.domain.errors import PasswordRejected

MIN_LENGTH = 12
MAX_LENGTH = 128
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


class PasswordBlocklist(Protocol):
    """Common and breached passwords (compared in lower case), and a guessability check."""

    def __contains__(self, password: object) -> bool: ...

    def too_guessable(self, password: str, context: Iterable[str]) -> bool:
        """Whether the password follows a pattern an attacker tries early
        (keyboard rows, sequences, repeats, dates, dictionary words with small changes)."""
        ...


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def context_words(*sources: str | None) -> set[str]:
    """Words of four letters or more taken from e-mail, names and organisation."""
    words: set[str] = {"infocenter", "inkasso", "passord", "password"}
    for source in sources:
        if source:
            words.update(w.lower() for w in _WORD.findall(source.replace(".", " ")))
    return words


def check_password(
    password: str, *, blocklist: PasswordBlocklist, context: Iterable[str] = ()
) -> str:
    """Return the password (NFKC-normalised) or raise :class:`PasswordRejected`."""
    normalised = _normalise(password)
    length = len(normalised)
    if length < MIN_LENGTH:
        raise PasswordRejected(f"must be at least {MIN_LENGTH} characters")
    if length > MAX_LENGTH:
        raise PasswordRejected(f"must be at most {MAX_LENGTH} characters")
    lowered = normalised.lower()
    stem = lowered.rstrip("0123456789!?.")
    if lowered in blocklist or stem in blocklist:
        raise PasswordRejected("is too common: it appears in lists of leaked passwords")
    if len(set(lowered)) < 4:
        raise PasswordRejected("repeats too few different characters")
    context = list(context)
    for word in context:
        if word and word in lowered and len(word) >= max(4, length // 2):
            raise PasswordRejected("is too close to your e-mail, name or organisation")
    if blocklist.too_guessable(normalised, context):
        raise PasswordRejected(
            "is too easy to guess (a sequence, keyboard pattern, repetition or common words); "
            "a few unrelated words make a strong password"
        )
    return normalised
