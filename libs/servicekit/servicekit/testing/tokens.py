"""A throwaway signing key and token minting, for services' own tests.

End-to-end tests log in through the identity service instead; this is for testing one
service (or the verifier itself) without the identity service running.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from servicekit.sessions import SessionStates
from servicekit.settings import ServiceSettings
from servicekit.tokens import ACCESS_TOKEN_TYPE, TokenVerifier

ISSUER = ServiceSettings.model_fields["token_issuer"].default
AUDIENCE = ServiceSettings.model_fields["token_audience"].default


@dataclass
class TestSigner:
    kid: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    minted_sessions: set[uuid.UUID] = field(default_factory=set)
    """The session ids of the tokens minted (sessions no identity service knows)."""

    __test__ = False  # not a pytest test class

    @property
    def jwks(self) -> dict[str, Any]:
        public = json.loads(OKPAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def verifier(self, sessions: SessionStates | None = None) -> TokenVerifier:
        """A verifier trusting this signer; with ``sessions``, it checks them as well."""
        return TokenVerifier(
            jwks_url=None,
            issuer=ISSUER,
            audience=AUDIENCE,
            static_jwks=self.jwks,
            sessions=sessions,
        )

    def headers(self, *, organisation_id: uuid.UUID, roles: Iterable[str]) -> dict[str, str]:
        """``Authorization`` for a caller of ``organisation_id`` with ``roles``."""
        token = self.mint(organisation_id=organisation_id, roles=roles)
        return {"Authorization": f"Bearer {token}"}

    def mint(
        self,
        *,
        organisation_id: uuid.UUID,
        roles: Iterable[str],
        user_id: uuid.UUID | None = None,
        session_id: uuid.UUID | None = None,
        ttl: int = 300,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        session_id = session_id or uuid.uuid4()
        self.minted_sessions.add(session_id)
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id or uuid.uuid4()),
            "org": str(organisation_id),
            "roles": sorted(roles),
            "sid": str(session_id),
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(
            payload,
            self.key,
            algorithm="EdDSA",
            headers={"kid": self.kid, "typ": ACCESS_TOKEN_TYPE, **(headers or {})},
        )
