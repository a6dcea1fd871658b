"""``private_key_jwt`` client authentication (RFC 7523 §2.2, OpenID Connect Core §9).

A client that registered a public key (a JWK Set of RSA or P-256 keys) authenticates at the
token endpoint with a JWT it signed (RS256 or ES256) instead of a secret:
``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`` and
``client_assertion=<JWT>``. The JWT's ``iss`` and ``sub`` are the client's id, ``aud`` the
token endpoint's public URL, ``exp`` at most :data:`MAX_LIFETIME` ahead, and ``jti`` used
once: each ``jti`` is kept until its ``exp`` and a second use is refused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth.adapters.orm import api_client_keys, client_assertion_jtis
from auth.domain.errors import OAuthError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS256", "ES256")
MAX_LIFETIME = timedelta(minutes=5)
LEEWAY = timedelta(seconds=30)
MAX_KEYS = 5
MAX_ASSERTION = 8192
TOKEN_PATH = "/api/v1/auth/oauth/token"


class KeysInvalid(ValueError):
    """The JWK Set cannot be used; ``code`` names why (for the admin's form)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def checked_jwks(jwks: Mapping[str, Any]) -> dict[str, Any]:
    """A JWK Set of public RS256/ES256 keys (never a private one), as stored."""
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not 1 <= len(keys) <= MAX_KEYS:
        raise KeysInvalid("keys-count")
    kept = []
    for key in keys:
        if not isinstance(key, dict) or "d" in key or any(p in key for p in ("p", "q")):
            raise KeysInvalid("private-key")  # a private key is never sent to us
        algorithm = "RS256" if key.get("kty") == "RSA" else "ES256"
        if key.get("kty") == "EC" and key.get("crv") != "P-256":
            raise KeysInvalid("key-type")
        if key.get("kty") not in ("RSA", "EC") or key.get("alg", algorithm) != algorithm:
            raise KeysInvalid("key-type")
        try:
            parsed = jwt.PyJWK(key, algorithm)
        except (jwt.PyJWKError, jwt.InvalidKeyError, KeyError, ValueError, TypeError) as exc:
            raise KeysInvalid("key-invalid") from exc
        if key.get("kty") == "RSA" and parsed.key.key_size < 2048:
            raise KeysInvalid("key-too-weak")
        kept.append({k: v for k, v in key.items() if isinstance(v, str) and len(v) <= 2048})
    return {"keys": kept}


def claimed_client(assertion: str) -> str:
    """The client an assertion names (``sub``), read before its signature is checked (to
    find the client's keys); :class:`OAuthError` when it is not a JWT at all."""
    if len(assertion) > MAX_ASSERTION:
        raise OAuthError("invalid_client", "The client assertion is too large.", status=401)
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise OAuthError(
            "invalid_client", "The client assertion is not a JWT.", status=401
        ) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or subject != claims.get("iss"):
        raise OAuthError("invalid_client", "iss and sub must be the client_id.", status=401)
    return subject


async def verify(
    session: AsyncSession,
    client_id: uuid.UUID,
    assertion: str,
    *,
    audience: str,
    now: datetime,
) -> str | None:
    """None when ``assertion`` authenticates ``client_id``; else the reason (for the audit).

    Records the ``jti`` in the caller's transaction (a replay finds it)."""
    jwks = await session.scalar(
        select(api_client_keys.c.jwks).where(api_client_keys.c.client_id == client_id)
    )
    if jwks is None:
        return "no_public_key"
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        return "assertion_malformed"
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        return "algorithm_refused"
    candidates = [
        k
        for k in (jwks if isinstance(jwks, dict) else json.loads(jwks))["keys"]
        if ("kid" not in header or k.get("kid") == header["kid"])
        and (k.get("kty") == "RSA") == (algorithm == "RS256")
    ]
    claims: dict[str, Any] | None = None
    for key in candidates:
        try:
            claims = jwt.decode(
                assertion,
                jwt.PyJWK(key, algorithm).key,
                algorithms=[algorithm],
                audience=audience,
                issuer=str(client_id),
                leeway=LEEWAY,
                # exp is checked below against the service's clock, not the wall clock
                options={
                    "require": ["exp", "iss", "sub", "aud", "jti"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
            break
        except jwt.InvalidAudienceError:
            return "audience_wrong"
        except jwt.PyJWTError:
            continue
    if claims is None:
        return "signature_invalid"
    try:
        expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (TypeError, ValueError, OverflowError):
        return "assertion_malformed"
    if expires < now - LEEWAY:
        return "assertion_expired"
    if expires - now > MAX_LIFETIME + LEEWAY:
        return "assertion_lifetime_too_long"
    jti = claims["jti"]
    if not isinstance(jti, str) or not 1 <= len(jti) <= 200:
        return "jti_invalid"
    await session.execute(
        delete(client_assertion_jtis).where(
            client_assertion_jtis.c.client_id == client_id,
            client_assertion_jtis.c.expires_at < now - LEEWAY,
        )
    )
    recorded = await session.execute(
        insert(client_assertion_jtis)
        .values(client_id=client_id, jti=jti, expires_at=expires)
        .on_conflict_do_nothing()
        .returning(client_assertion_jtis.c.jti)
    )
    if recorded.first() is None:
        return "assertion_replayed"
    return None


async def register_keys(session: AsyncSession, client_id: uuid.UUID, jwks: dict[str, Any]) -> None:
    """Store (or replace) the client's JWK Set."""
    await session.execute(
        insert(api_client_keys)
        .values(client_id=client_id, jwks=jwks)
        .on_conflict_do_update(
            index_elements=[api_client_keys.c.client_id],
            set_={"jwks": jwks, "updated_at": datetime.now(UTC)},
        )
    )
