"""Issuing the identity service's JWTs: access tokens and sign-in challenges."""

from __future__ import annotations

import uuid
from datetime import datetime

import jwt
from servicekit.tokens import ACCESS_TOKEN_TYPE

from auth.adapters.signing_keys import ALGORITHM, SigningKeyStore
from auth.domain.sessions import ACCESS_TOKEN_TTL, MFA_CHALLENGE_TTL

CHALLENGE_TYPE = "mfa-challenge+jwt"


class TokenIssuer:
    def __init__(self, keys: SigningKeyStore, *, issuer: str, audience: str) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience

    async def access_token(
        self,
        *,
        user_id: uuid.UUID,
        organisation_id: uuid.UUID,
        roles: frozenset[str],
        session_id: uuid.UUID,
        now: datetime,
    ) -> str:
        key = await self.keys.active()
        issued = int(now.timestamp())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id),
            "org": str(organisation_id),
            "roles": sorted(roles),
            "sid": str(session_id),
            "amr": ["pwd", "otp"],
            "iat": issued,
            "nbf": issued,
            "exp": issued + int(ACCESS_TOKEN_TTL.total_seconds()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(
            claims,
            key.private_key,
            algorithm=ALGORITHM,
            headers={"kid": key.kid, "typ": ACCESS_TOKEN_TYPE},
        )

    async def client_access_token(
        self,
        *,
        client_id: uuid.UUID,
        organisation_id: uuid.UUID,
        scopes: frozenset[str],
        roles: frozenset[str],
        ttl_seconds: int,
        now: datetime,
    ) -> str:
        """An API client's access token (RFC 9068 claims): ``sub`` and ``client_id`` are
        the client, ``sid`` too (revoking the client ends its tokens like a session)."""
        key = await self.keys.active()
        issued = int(now.timestamp())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(client_id),
            "client_id": str(client_id),
            "org": str(organisation_id),
            "roles": sorted(roles),
            "scope": " ".join(sorted(scopes)),
            "sid": str(client_id),
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(
            claims,
            key.private_key,
            algorithm=ALGORITHM,
            headers={"kid": key.kid, "typ": ACCESS_TOKEN_TYPE},
        )

    async def challenge(self, *, user_id: uuid.UUID, purpose: str, now: datetime) -> str:
        """A short-lived proof that the password step passed (for the second factor)."""
        key = await self.keys.active()
        issued = int(now.timestamp())
        claims = {
            "iss": self.issuer,
            "aud": f"{self.issuer}#{purpose}",
            "sub": str(user_id),
            "iat": issued,
            "exp": issued + int(MFA_CHALLENGE_TTL.total_seconds()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(
            claims,
            key.private_key,
            algorithm=ALGORITHM,
            headers={"kid": key.kid, "typ": CHALLENGE_TYPE},
        )

    async def read_challenge(self, token: str, *, purpose: str, now: datetime) -> uuid.UUID | None:
        """The user a challenge was issued for, if it is genuine and unexpired at ``now``."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("typ") != CHALLENGE_TYPE or header.get("alg") != ALGORITHM:
                return None
            private = await self.keys.private_key(str(header.get("kid")))
            if private is None:
                return None
            claims = jwt.decode(
                token,
                private.public_key(),
                algorithms=[ALGORITHM],
                audience=f"{self.issuer}#{purpose}",
                issuer=self.issuer,
                options={
                    "require": ["exp", "sub", "aud", "iss"],
                    "verify_exp": False,  # checked below against the service's clock
                    "verify_iat": False,
                },
            )
            if int(claims["exp"]) <= now.timestamp():
                return None
            return uuid.UUID(claims["sub"])
        except (jwt.PyJWTError, ValueError):
            return None
