"""Password rules (NIST SP 800-63B, OWASP ASVS 5.0 level 2).

Length only: at least 12 characters (a second factor is always required), up to 128, any
characters, never truncated or case-folded; no composition rules and no forced expiry. A
password is refused when it is on the offline list of common and breached passwords, is
built from context words (the user's e-mail, name, the organisation, "infocenter"), or is
a pattern an attacker tries early (zxcvbn's estimate). "Built from context words" covers
the whole e-mail address, its local part and domain, the whole name and organisation, and
any password that is nothing but those words with digits and punctuation between them
(``Kari.Nordmann@nordlys.example``, ``KariNordmann2026!``, ``Nordlys Energi AS``).
Passwords are NFKC-normalised
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
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+", re.UNICODE)
_NOT_LETTER = re.compile(r"[\W\d_]+", re.UNICODE)
GENERIC_WORDS = frozenset({"infocenter", "inkasso", "passord", "password"})
MIN_OWN_LETTERS = 4
"""Letters a password must have besides the context words, digits and punctuation."""


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
    """What a password must not be built from, taken from the user's e-mail, name and
    organisation (lower case): each whole, each without its spaces and punctuation, an
    e-mail's local part and domain, and every word of two letters or more."""
    words: set[str] = set(GENERIC_WORDS)
    for source in sources:
        if not source:
            continue
        whole = unicodedata.normalize("NFKC", source).strip().lower()
        words.update({whole, _NOT_ALPHANUMERIC.sub("", whole)})
        local, at, domain = whole.partition("@")
        if at:
            words.update({local, domain})
        words.update(_WORD.findall(whole))
    return {w for w in words if len(w) >= 2}


def _own_letters(lowered: str, context: Iterable[str]) -> tuple[int, bool]:
    """How many letters remain once the context words are taken out (longest first), and
    whether any was in the password at all."""
    rest, found = lowered, False
    for word in sorted(context, key=len, reverse=True):
        if word in rest:
            rest, found = rest.replace(word, " "), True
    return len(_NOT_LETTER.sub("", rest)), found


_TOO_CLOSE = "is too close to your e-mail, name or organisation"


def check_password(
    password: str, *, blocklist: PasswordBlocklist, context: Iterable[str] = ()
) -> str:
    """Return the password (NFKC-normalised) or raise :class:`PasswordRejected`."""
    normalised = _normalise(password)
    length = len(normalised)
    if length < MIN_LENGTH:
        raise PasswordRejected(
            f"must be at least {MIN_LENGTH} characters", "password_too_short", min_length=MIN_LENGTH
        )
    if length > MAX_LENGTH:
        raise PasswordRejected(
            f"must be at most {MAX_LENGTH} characters", "password_too_long", max_length=MAX_LENGTH
        )
    lowered = normalised.lower()
    stem = lowered.rstrip("0123456789!?.")
    if lowered in blocklist or stem in blocklist:
        raise PasswordRejected(
            "is too common: it appears in lists of leaked passwords", "password_too_common"
        )
    if len(set(lowered)) < 4:
        raise PasswordRejected(
            "repeats too few different characters", "password_too_few_characters"
        )
    context = [w.lower() for w in context if w]
    own_letters, has_context = _own_letters(lowered, context)
    if has_context and own_letters < MIN_OWN_LETTERS:
        raise PasswordRejected(_TOO_CLOSE, "password_too_close")
    for word in context:
        if word in lowered and len(word) >= max(4, length // 2):
            raise PasswordRejected(_TOO_CLOSE, "password_too_close")
    if blocklist.too_guessable(normalised, context):
        raise PasswordRejected(
            "is too easy to guess (a sequence, keyboard pattern, repetition or common words); "
            "a few unrelated words make a strong password",
            "password_too_guessable",
        )
    return normalised
