"""Token signing keys: Ed25519, sealed at rest, published as a JWKS, rotated by command.

One key signs at a time. A new key is published at once but signs only after
``PUBLISH_AHEAD`` (verifiers refetch the JWKS at most every 30 s), and the key it replaces
keeps signing until then; a retired key stays in the JWKS for a day so tokens it signed
keep verifying until they expire. Creating the first key takes an
advisory lock, so several API processes starting together make exactly one.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from servicekit.crypto import Keyring
from sqlalchemy import insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.adapters.orm import signing_keys

ALGORITHM = "EdDSA"
RETIRED_KEY_GRACE = timedelta(days=1)
PUBLISH_AHEAD = timedelta(seconds=60)
_CREATE_LOCK = 0x1C_A0_7E_01  # advisory lock id: "first signing key"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey


def _aad(kid: str) -> bytes:
    return f"signing_keys:{kid}:private_key".encode()


class SigningKeyStore:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        *,
        cache_seconds: float = 30.0,
    ) -> None:
        self._sessions = session_factory
        self._keyring = keyring
        self._cache_seconds = cache_seconds
        self._active: SigningKey | None = None
        self._active_at = 0.0
        self._by_kid: dict[str, Ed25519PrivateKey] = {}

    async def active(self) -> SigningKey:
        """The key that signs now (created on first use)."""
        if self._active and time.monotonic() - self._active_at < self._cache_seconds:
            return self._active
        async with self._sessions() as session, session.begin():
            row = await self._newest(session)
            if row is None:
                await session.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": _CREATE_LOCK}
                )
                row = await self._newest(session)
                if row is None:
                    await self._create(session)
                    row = await self._newest(session)
        assert row is not None
        self._active = SigningKey(row.kid, self._unseal(row.kid, row.private_key))
        self._active_at = time.monotonic()
        return self._active

    async def private_key(self, kid: str) -> Ed25519PrivateKey | None:
        """Any published key by id (to verify the service's own short-lived tokens)."""
        if kid not in self._by_kid:
            async with self._sessions() as session:
                sealed = await session.scalar(
                    select(signing_keys.c.private_key).where(signing_keys.c.kid == kid)
                )
            if sealed is None:
                return None
            self._by_kid[kid] = self._unseal(kid, sealed)
        return self._by_kid[kid]

    async def jwks(self) -> dict[str, Any]:
        """Public keys of the signing key and of keys retired less than a day ago."""
        cutoff = datetime.now(UTC) - RETIRED_KEY_GRACE
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(signing_keys.c.public_jwk)
                    .where(
                        or_(signing_keys.c.retired_at.is_(None), signing_keys.c.retired_at > cutoff)
                    )
                    .order_by(signing_keys.c.created_at.desc())
                )
            ).scalars()
            return {"keys": [dict(r) for r in rows]}

    async def rotate(self) -> str:
        """Publish a new signing key; it takes over after ``PUBLISH_AHEAD``. Returns its id."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(signing_keys)
                .where(signing_keys.c.retired_at.is_(None))
                .values(retired_at=datetime.now(UTC) + PUBLISH_AHEAD)
            )
            kid = await self._create(session)
        self._active = None
        return kid

    async def _newest(self, session: AsyncSession) -> Any:
        """The key that signs now: the newest old enough to be published everywhere, or
        (right after a rotation) the one it replaces, whose retirement is still ahead."""
        now = datetime.now(UTC)
        rows = (
            await session.execute(
                select(
                    signing_keys.c.kid,
                    signing_keys.c.private_key,
                    signing_keys.c.created_at,
                    signing_keys.c.retired_at,
                )
                .where(or_(signing_keys.c.retired_at.is_(None), signing_keys.c.retired_at > now))
                .order_by(signing_keys.c.created_at.desc())
            )
        ).all()
        for row in rows:
            if row.retired_at is None and row.created_at <= now - PUBLISH_AHEAD:
                return row
        for row in rows:
            if row.retired_at is not None:
                return row  # the predecessor keeps signing until its successor is published
        return rows[0] if rows else None

    async def _create(self, session: AsyncSession) -> str:
        key = Ed25519PrivateKey.generate()
        kid = f"{datetime.now(UTC):%Y%m%d}-{uuid.uuid4().hex[:8]}"
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
        await session.execute(
            insert(signing_keys).values(
                kid=kid,
                algorithm=ALGORITHM,
                private_key=self._keyring.encrypt(pem, aad=_aad(kid)),
                public_jwk={**public, "kid": kid, "use": "sig", "alg": ALGORITHM},
                created_at=datetime.now(UTC),
            )
        )
        return kid

    def _unseal(self, kid: str, sealed: str) -> Ed25519PrivateKey:
        key = serialization.load_pem_private_key(
            self._keyring.decrypt(sealed, aad=_aad(kid)), password=None
        )
        if not isinstance(key, Ed25519PrivateKey):
            raise TypeError("signing key is not Ed25519")
        return key
