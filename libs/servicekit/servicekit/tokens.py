"""Access-token verification: signed JWTs from the identity service, checked everywhere.

The gateway verifies every token and each service verifies it again (a header set by the
gateway is never trusted alone). Keys come only from the configured JWKS URL, cached and
refreshed when an unknown ``kid`` appears (at most every ``min_refresh_seconds``). Only the
algorithms in the allow-list are accepted (never ``none``, never a symmetric one); ``typ``,
``iss``, ``aud``, ``exp``, ``nbf`` are checked. With ``sessions`` (every service's verifier,
built by :class:`servicekit.service.Service`), the token's session must also still be
active: a signed-out token is refused by every service, not only by the gateway.

A token whose signature and claims passed is remembered (by its exact text) for
``verified_ttl_seconds`` at most, and never past its ``exp``: the same token on the next
request skips the signature check (an Ed25519 verification and two JSON decodes, the
largest part of a cached request's authentication, bench/README.md). The session check
is not cached here: it runs on every request through :class:`SessionStates`, with its
own short cache, so a sign-out still takes effect as before.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from servicekit.roles import Roles, Scopes
from servicekit.sessions import SessionStates

ACCESS_TOKEN_TYPE = "at+jwt"
ALLOWED_ALGORITHMS: tuple[str, ...] = ("EdDSA", "ES256")


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the access token says."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    roles: frozenset[str]
    session_id: uuid.UUID | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    client_id: uuid.UUID | None = None
    """Set for an organisation's API client (client-credentials grant, ADR 0040); then
    ``user_id`` is the client's id too, and ``scopes`` says what it may do."""
    scopes: frozenset[str] = frozenset()

    @property
    def is_client(self) -> bool:
        """A machine client, not a person: only routes that name a scope admit it."""
        return self.client_id is not None

    @property
    def is_agency_staff(self) -> bool:
        return bool(self.roles & Roles.AGENCY)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def tenant(self) -> uuid.UUID | None:
        """The organisation every creditor-facing query must be scoped to.

        ``None`` for agency staff (case handlers and agency admins see every creditor).
        """
        return None if self.is_agency_staff else self.organisation_id


def _scopes(value: object) -> frozenset[str]:
    """A token's ``scope`` claim (space-separated, RFC 6749 §3.3): the known ones."""
    if not isinstance(value, str):
        return frozenset()
    return frozenset(s for s in value.split() if s in Scopes.ALL)


class InvalidToken(Exception):
    """The token is missing, malformed, expired, forged or not meant for us."""


@dataclass
class TokenVerifier:
    """Verifies access tokens against the identity service's JWKS."""

    jwks_url: str | None
    issuer: str
    audience: str
    algorithms: Sequence[str] = ALLOWED_ALGORITHMS
    static_jwks: Mapping[str, Any] | None = None
    """Keys given directly (tests, or a pinned set); used instead of fetching."""
    fetch_jwks: Callable[[], Awaitable[Mapping[str, Any]]] | None = None
    """Where to get the JWKS instead of ``jwks_url`` (the identity service's own store)."""
    sessions: SessionStates | None = None
    """Whether a token's session is still active (``None``: signature and claims only)."""
    min_refresh_seconds: float = 30.0
    leeway_seconds: float = 30.0
    verified_ttl_seconds: float = 60.0
    """How long a verified token is remembered (never past its ``exp``; 0: not at all)."""
    max_verified: int = 10_000
    clock: Callable[[], float] = time.time
    """Wall-clock seconds, compared with ``exp`` (tests move it)."""
    _keys: dict[str, PyJWK] = field(default_factory=dict, init=False)
    _verified: OrderedDict[str, tuple[float, Principal]] = field(
        default_factory=OrderedDict, init=False
    )
    _fetched_at: float = field(default=0.0, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    def __post_init__(self) -> None:
        unsafe = set(self.algorithms) - set(ALLOWED_ALGORITHMS)
        if unsafe:
            raise ValueError(f"algorithms not allowed: {sorted(unsafe)}")
        if self.static_jwks is not None:
            self._load({})

    def _load(self, jwks: Mapping[str, Any]) -> None:
        """Trust the keys of ``jwks`` (plus the static ones, which always stay)."""
        keys: dict[str, PyJWK] = {}
        for source in (jwks, self.static_jwks or {}):
            for entry in source.get("keys", []):
                kid = entry.get("kid")
                if kid and entry.get("use", "sig") == "sig":
                    keys[kid] = PyJWK.from_dict(dict(entry))
        self._keys = keys
        self._verified.clear()  # a key may have gone: verify every token again

    async def _refresh(self) -> None:
        if self.jwks_url is None and self.fetch_jwks is None:
            return
        async with self._lock:
            if time.monotonic() - self._fetched_at < self.min_refresh_seconds and self._keys:
                return
            if self.fetch_jwks is not None:
                self._load(await self.fetch_jwks())
            else:
                assert self.jwks_url is not None
                async with httpx.AsyncClient(timeout=httpx.Timeout(3.0)) as client:
                    response = await client.get(self.jwks_url)
                    response.raise_for_status()
                    self._load(response.json())
            self._fetched_at = time.monotonic()

    async def _key(self, kid: str) -> PyJWK:
        if kid not in self._keys:
            try:
                await self._refresh()
            except (httpx.HTTPError, ValueError, json.JSONDecodeError) as exc:
                raise InvalidToken("signing keys unavailable") from exc
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        return key

    async def verify(self, token: str) -> Principal:
        """The token's caller; :class:`InvalidToken` when it is not good (or its session
        has ended), :class:`~servicekit.sessions.SessionStateUnavailable` when nobody can
        say whether its session still lives."""
        principal = self._remembered(token)
        if principal is None:
            principal = await self._verify_signed(token)
            self._remember(token, principal)
        if self.sessions is not None:
            if principal.session_id is None:
                raise InvalidToken("token has no session")
            if not await self.sessions.active(principal.session_id):
                raise InvalidToken("session ended")
        return principal

    def _remembered(self, token: str) -> Principal | None:
        """A principal verified from exactly this token before, if still good to use."""
        entry = self._verified.get(token)
        if entry is None:
            return None
        until, principal = entry
        if until <= self.clock():
            del self._verified[token]
            return None
        return principal

    def _remember(self, token: str, principal: Principal) -> None:
        if self.verified_ttl_seconds <= 0:
            return
        # ``exp`` without the leeway: a remembered token stops passing when it expires,
        # the next request re-verifies it (and the leeway applies there as before).
        until = min(self.clock() + self.verified_ttl_seconds, float(principal.claims["exp"]))
        self._verified[token] = (until, principal)
        while len(self._verified) > self.max_verified:
            self._verified.popitem(last=False)

    async def _verify_signed(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise InvalidToken("algorithm not allowed")
        if header.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not an access token")
        for dangerous in ("jku", "x5u", "jwk", "crit"):
            if dangerous in header:
                raise InvalidToken(f"header {dangerous!r} not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("no key id")
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "sub", "aud", "iss", "org", "roles"]},
            )
            return Principal(
                user_id=uuid.UUID(claims["sub"]),
                organisation_id=uuid.UUID(claims["org"]),
                roles=frozenset(r for r in claims["roles"] if r in Roles.ALL),
                session_id=uuid.UUID(claims["sid"]) if claims.get("sid") else None,
                claims=claims,
                client_id=uuid.UUID(claims["client_id"]) if "client_id" in claims else None,
                scopes=_scopes(claims.get("scope")),
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise InvalidToken("token rejected") from exc
