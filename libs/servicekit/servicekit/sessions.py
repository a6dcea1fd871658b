"""Whether an access token's session still lives, asked of the identity service.

Access tokens are self-contained for 5 minutes; sign-out, sign-out everywhere, refresh
token reuse, a password or factor change and deactivation end the *session* at once.
Every service therefore checks the token's ``sid`` itself (ADR 0004), through
:class:`SessionStates`: the identity service's internal endpoint
``GET {auth}/internal/v1/sessions/{sid}`` (service-authenticated), its answer cached per
session for a few seconds (an ended session for the token lifetime: it never comes back).

Fail closed: when the identity service cannot answer, :class:`SessionStateUnavailable`
is raised and the request refused with 503, never let through.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from servicekit.context import correlation_id
from servicekit.internal import ServiceCredential

log = logging.getLogger(__name__)

AskSession = Callable[[uuid.UUID], Awaitable[bool]]
"""Asks the source of truth whether a session is active; raises
:class:`SessionStateUnavailable` when it cannot tell."""


class SessionStateUnavailable(Exception):
    """The identity service cannot say whether a session is active (down, slow, broken).

    Deliberately not an ``httpx``/``ValueError`` subclass: nothing on the way may mistake
    it for a bad token, it must reach the client as a 503.
    """


@dataclass(slots=True)
class _Answer:
    active: bool
    until: float


class SessionStates:
    """Session answers from ``ask``, cached per session; concurrent questions share one."""

    def __init__(
        self,
        ask: AskSession,
        *,
        active_ttl: float = 5.0,
        ended_ttl: float = 300.0,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ask = ask
        self.active_ttl = active_ttl
        self.ended_ttl = ended_ttl
        self.max_entries = max_entries
        self.clock = clock
        self._answers: OrderedDict[uuid.UUID, _Answer] = OrderedDict()
        self._asking: dict[uuid.UUID, asyncio.Future[bool]] = {}

    async def active(self, session_id: uuid.UUID) -> bool:
        """The (possibly cached) answer; raises :class:`SessionStateUnavailable`."""
        answer = self._answers.get(session_id)
        if answer is not None and answer.until > self.clock():
            self._answers.move_to_end(session_id)
            return answer.active
        asking = self._asking.get(session_id)
        if asking is None:
            asking = asyncio.ensure_future(self._ask_and_remember(session_id))
            self._asking[session_id] = asking
            asking.add_done_callback(lambda _: self._asking.pop(session_id, None))
        return await asyncio.shield(asking)

    def ended(self, session_id: uuid.UUID) -> None:
        """Remember that a session has ended (learnt first-hand, e.g. a sign-out here)."""
        self._remember(session_id, active=False)

    async def _ask_and_remember(self, session_id: uuid.UUID) -> bool:
        active = await self.ask(session_id)
        self._remember(session_id, active=active)
        return active

    def _remember(self, session_id: uuid.UUID, *, active: bool) -> None:
        ttl = self.active_ttl if active else self.ended_ttl
        if ttl <= 0:
            self._answers.pop(session_id, None)
            return
        self._answers[session_id] = _Answer(active, self.clock() + ttl)
        self._answers.move_to_end(session_id)
        while len(self._answers) > self.max_entries:
            self._answers.popitem(last=False)


class IdentityServiceSessions:
    """:data:`AskSession` over HTTP: the identity service's internal session endpoint."""

    def __init__(
        self,
        auth_url: str,
        credential: ServiceCredential | None,
        *,
        timeout: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.auth_url = auth_url.rstrip("/")
        self.credential = credential
        self.timeout = timeout
        self.transport = transport
        self._client: httpx.AsyncClient | None = None

    def url(self, session_id: uuid.UUID) -> str:
        return f"{self.auth_url}/internal/v1/sessions/{session_id}"

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout), transport=self.transport
            )
        return self._client

    async def __call__(self, session_id: uuid.UUID) -> bool:
        if self.credential is None:
            log.warning("session state unavailable: no internal secret configured")
            raise SessionStateUnavailable("no internal secret to ask the identity service with")
        headers = self.credential.headers()
        request_id = correlation_id.get()
        if request_id is not None:
            headers["X-Request-ID"] = str(request_id)
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._http().get(self.url(session_id), headers=headers)
        except (TimeoutError, httpx.HTTPError) as exc:
            log.warning("session state unavailable: %s", type(exc).__name__)
            raise SessionStateUnavailable("session state unavailable") from exc
        return session_answer(response)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def session_answer(response: httpx.Response) -> bool:
    """``active`` from the endpoint's answer (404: no such session, so not active);
    :class:`SessionStateUnavailable` for any other answer than a well-formed 200."""
    if response.status_code == 404:
        return False
    if response.status_code != 200:
        log.warning("session state unavailable: http_%s", response.status_code)
        raise SessionStateUnavailable(f"session state answered {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise SessionStateUnavailable("session state is not JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("active"), bool):
        raise SessionStateUnavailable("session state has no 'active'")
    return bool(body["active"])
