"""What the identity handlers need besides the unit of work (built in bootstrap)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from servicekit.crypto import Keyring

from auth.adapters.credentials import Argon2PasswordHasher
from auth.adapters.token_issuer import TokenIssuer
from auth.domain.passwords import PasswordBlocklist
from auth.domain.ports import Mailer


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, for throttling and the audit log."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass
class IdentityContext:
    hasher: Argon2PasswordHasher
    blocklist: PasswordBlocklist
    issuer: TokenIssuer
    keyring: Keyring
    lookup_key: bytes
    mailer: Mailer
    portal_base_url: str
    clock: Callable[[], datetime] = field(default=utc_now)

    def subject_hash(self, email: str) -> str:
        """A keyed hash of a login name, for throttling and audit without the name."""
        return hmac.new(self.lookup_key, email.encode(), hashlib.sha256).hexdigest()

    def seal_totp(self, user_id: uuid.UUID, secret: str) -> str:
        return self.keyring.encrypt(secret.encode(), aad=f"users:{user_id}:totp".encode())

    def open_totp(self, user_id: uuid.UUID, sealed: str) -> str:
        return self.keyring.decrypt(sealed, aad=f"users:{user_id}:totp".encode()).decode()
