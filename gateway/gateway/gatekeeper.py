"""Verifying access tokens at the gateway, and asking whether their session still lives.

A token is checked in two steps before a request is forwarded:

1. its signature and claims, by servicekit's :class:`~servicekit.tokens.TokenVerifier`
   with the identity service's JWKS (fetched through the gateway's shared client, cached,
   refreshed at most every ``jwks_refresh_seconds`` when an unknown key id shows up);
2. its session (``sid``), by the identity service's internal endpoint
   ``GET {auth}/internal/v1/sessions/{sid}``, as an authenticated service
   (``GATEWAY_INTERNAL_SECRET``, servicekit.internal). The answer is cached per session for
   ``session_cache_seconds`` (revoked ones for ``revoked_session_cache_seconds``: a
   revoked session never comes back), so a sign-out takes effect everywhere within
   that TTL while a busy client costs one call per TTL.

Fail closed: when the identity service cannot answer either question, the request is
refused with 503 (:class:`AuthUnavailable`), never let through.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from servicekit import sessions
from servicekit.internal import ServiceCredential
from servicekit.tokens import InvalidToken, Principal, TokenVerifier

from gateway.settings import GatewaySettings
from gateway.upstream import correlation_headers

log = logging.getLogger(__name__)

JWKS_RETRY_SECONDS = 1.0
"""After a failed JWKS fetch, how long requests that need the keys fail without asking."""


class AuthUnavailable(Exception):
    """The identity service cannot say whether a token is good (down, slow, broken).

    Deliberately not an ``httpx``/``ValueError`` subclass: the token verifier turns those
    into :class:`InvalidToken`, and this must reach the gateway as a 503 instead.
    """


class Unauthenticated(Exception):
    """The request has no usable access token, or its session has ended."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SessionStates(sessions.SessionStates):
    """Whether a session is active: servicekit's cache (the one every service uses),
    asking over the gateway's shared client with the gateway's settings."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: GatewaySettings,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.settings = settings
        super().__init__(
            self._ask,
            active_ttl=settings.session_cache_seconds,
            ended_ttl=settings.revoked_session_cache_seconds,
            max_entries=settings.session_cache_max_entries,
            clock=clock,
        )

    def _credential(self) -> dict[str, str]:
        """The gateway's service credential (the internal endpoint refuses anyone else)."""
        secret = self.settings.internal_secret
        if secret is None:
            return {}
        return ServiceCredential(self.settings.service_name, secret.get_secret_value()).headers()

    async def _ask(self, session_id: uuid.UUID) -> bool:
        timeout = self.settings.auth_check_timeout
        try:
            async with asyncio.timeout(timeout):
                response = await self.client.get(
                    self.settings.session_state_url(str(session_id)),
                    headers={**correlation_headers(), **self._credential()},
                    timeout=timeout,
                )
        except (TimeoutError, httpx.HTTPError) as exc:
            log.warning("session state unavailable: %s", type(exc).__name__)
            raise AuthUnavailable("session state unavailable") from exc
        try:
            return sessions.session_answer(response)
        except sessions.SessionStateUnavailable as exc:
            raise AuthUnavailable(str(exc)) from exc


class Gatekeeper:
    """Turns an access token into a :class:`Principal`, or refuses it."""

    def __init__(
        self,
        settings: GatewaySettings,
        client: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.client = client
        self.clock = clock
        self._jwks_failed_at = -math.inf
        self.verifier = TokenVerifier(
            jwks_url=settings.jwks_url,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            fetch_jwks=self._fetch_jwks,
            min_refresh_seconds=settings.jwks_refresh_seconds,
        )
        self.sessions = SessionStates(client, settings, clock=clock)

    async def _fetch_jwks(self) -> Mapping[str, Any]:
        # The verifier fetches again for every unknown key id while it holds no keys, one
        # caller at a time; after a failure, the next ones fail at once for a moment
        # instead of each waiting out its own timeout.
        if self.clock() - self._jwks_failed_at < JWKS_RETRY_SECONDS:
            raise AuthUnavailable("signing keys unavailable (retrying shortly)")
        try:
            jwks = await self._get_jwks()
        except AuthUnavailable:
            self._jwks_failed_at = self.clock()
            raise
        self._jwks_failed_at = -math.inf
        return jwks

    async def _get_jwks(self) -> Mapping[str, Any]:
        timeout = self.settings.auth_check_timeout
        try:
            async with asyncio.timeout(timeout):
                response = await self.client.get(
                    self.settings.jwks_url, headers=correlation_headers(), timeout=timeout
                )
            response.raise_for_status()
            jwks = response.json()
        except (TimeoutError, httpx.HTTPError, ValueError) as exc:
            log.warning("signing keys unavailable: %s", type(exc).__name__)
            raise AuthUnavailable("signing keys unavailable") from exc
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise AuthUnavailable("signing keys are not a JWKS")
        return jwks

    async def admit(self, token: str) -> Principal:
        """The verified caller; raises :class:`Unauthenticated` or :class:`AuthUnavailable`."""
        try:
            principal = await self.verifier.verify(token)
        except InvalidToken as exc:
            raise Unauthenticated(str(exc)) from exc
        if principal.session_id is None:
            raise Unauthenticated("token has no session")
        if not await self.sessions.active(principal.session_id):
            raise Unauthenticated("session ended")
        return principal
