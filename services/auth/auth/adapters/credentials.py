"""Password hashing (argon2id, ASVS parameters) and the offline password blocklist."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PARALLELISM = 1


class Argon2PasswordHasher:
    """argon2id with t=2, m=19 MiB, p=1 (ASVS 5.0 11.4.2); rehashed on login if weaker."""

    def __init__(
        self,
        *,
        time_cost: int = ARGON2_TIME_COST,
        memory_kib: int = ARGON2_MEMORY_KIB,
        parallelism: int = ARGON2_PARALLELISM,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(_nfkc(password))

    def verify(self, stored: str | None, password: str) -> bool:
        """Constant work whether or not a hash exists (no account enumeration by timing)."""
        try:
            return bool(self._hasher.verify(stored or self._dummy, _nfkc(password))) and bool(
                stored
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def _nfkc(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


MIN_GUESS_SCORE = 3
"""zxcvbn score (0-4) a password needs: 3 is "safely unguessable" against offline attack."""


class OfflineBlocklist:
    """zxcvbn's 30,000 most common breached passwords plus common Norwegian ones, and
    zxcvbn's pattern-based guessability estimate."""

    def __init__(self, words: frozenset[str]) -> None:
        self._words = words

    def __contains__(self, password: object) -> bool:
        return isinstance(password, str) and password.lower() in self._words

    def __len__(self) -> int:
        return len(self._words)

    def too_guessable(self, password: str, context: Iterable[str]) -> bool:
        score = zxcvbn(password[:100], user_inputs=list(context))["score"]
        return bool(score < MIN_GUESS_SCORE)


@cache
def offline_blocklist() -> OfflineBlocklist:
    text = resources.files("auth.adapters").joinpath("data/common_passwords_nb.txt").read_text()
    norwegian = {
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    }
    return OfflineBlocklist(frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(norwegian))


def secret_digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (link tokens, refresh tokens, recovery codes)."""
    return hashlib.sha256(secret.encode()).hexdigest()
