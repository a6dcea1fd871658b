"""The portal's tokens: one refresh per refresh token, shared by concurrent requests.

Refresh tokens rotate, and the identity service treats a spent one coming back as theft
(the whole session is revoked). A browser easily sends two requests at once with the
same expired access token and the same refresh cookie (a page and its progress stream,
two tabs): both would refresh, and the second would end the session. So within one
gateway process the first request refreshes and the others wait for its answer, which
is kept for ``ttl`` seconds for requests that still carry the old cookie.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TokenSet:
    """What the identity service answers to a sign-in or a refresh."""

    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_at: str
    session_id: str

    @classmethod
    def of(cls, body: Any) -> TokenSet:
        """From the JSON answer; raises ``ValueError`` when it is not a token answer."""
        if not isinstance(body, dict):
            raise ValueError("token answer is not an object")
        try:
            return cls(
                access_token=str(body["access_token"]),
                refresh_token=str(body["refresh_token"]),
                expires_in=int(body["expires_in"]),
                refresh_expires_at=str(body["refresh_expires_at"]),
                session_id=str(body["session_id"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("token answer is incomplete") from exc

    def as_mapping(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "refresh_expires_at": self.refresh_expires_at,
        }


def _key(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class RefreshGate:
    """At most one refresh per refresh token at a time; its answer reused for ``ttl`` s."""

    def __init__(
        self,
        *,
        ttl: float = 60.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._done: OrderedDict[str, tuple[float, TokenSet]] = OrderedDict()
        self._running: dict[str, asyncio.Future[TokenSet]] = {}

    async def refresh(
        self, refresh_token: str, exchange: Callable[[str], Awaitable[TokenSet]]
    ) -> TokenSet:
        """The new tokens for ``refresh_token``; ``exchange`` is called once for it.

        A failure is not remembered: the next request asks again (and the identity
        service decides).
        """
        key = _key(refresh_token)
        now = self.clock()
        kept = self._done.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        running = self._running.get(key)
        if running is None:
            running = asyncio.ensure_future(exchange(refresh_token))
            self._running[key] = running
            running.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(running)

    def _finished(self, key: str, done: asyncio.Future[TokenSet]) -> None:
        self._running.pop(key, None)
        if done.cancelled() or done.exception() is not None:
            return
        self._done[key] = (self.clock() + self.ttl, done.result())
        self._done.move_to_end(key)
        while len(self._done) > self.max_entries:
            self._done.popitem(last=False)
