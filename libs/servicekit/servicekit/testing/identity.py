"""A stand-in for the identity service's internal session endpoint, for one service's tests.

The real endpoint (``auth``) is tested against its database; a service's own tests need
only its contract: ``GET /internal/v1/sessions/{sid}`` → ``{"active": bool}``, answered
to an authenticated service only. Sessions are active until :meth:`end` is called.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI

from servicekit.internal import InternalCaller, InternalCallers, ServiceCredential
from servicekit.problems import install_problem_handlers
from servicekit.service import Service
from servicekit.sessions import IdentityServiceSessions, SessionStates
from servicekit.testing.tokens import TestSigner


@dataclass
class SessionDirectory:
    """Which sessions have ended; serves the internal endpoint in-process."""

    caller: str = "test-service"
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    ended_sessions: set[uuid.UUID] = field(default_factory=set)
    questions: int = 0
    available: bool = True

    def end(self, session_id: uuid.UUID) -> None:
        self.ended_sessions.add(session_id)

    @property
    def credential(self) -> ServiceCredential:
        return ServiceCredential(self.caller, self.secret)

    def app(self) -> FastAPI:
        app = FastAPI()
        install_problem_handlers(app)
        app.state.internal_callers = InternalCallers({self.caller: self.secret})

        @app.get("/internal/v1/sessions/{session_id}")
        async def state(session_id: uuid.UUID, _caller: InternalCaller) -> dict[str, bool]:
            self.questions += 1
            if not self.available:
                raise RuntimeError("identity service down")
            return {"active": session_id not in self.ended_sessions}

        return app

    def source(self, credential: ServiceCredential | None = None) -> IdentityServiceSessions:
        """The real HTTP client of the endpoint, talking to this directory in-process."""
        return IdentityServiceSessions(
            "http://auth.test",
            credential or self.credential,
            transport=httpx.ASGITransport(app=self.app(), raise_app_exceptions=False),
        )

    def states(self, *, active_ttl: float = 0.0) -> SessionStates:
        """Session states asking this directory (no caching unless told)."""
        return SessionStates(self.source(), active_ttl=active_ttl, ended_ttl=active_ttl)

    def attach(self, service: Service, signer: TestSigner, *, active_ttl: float = 0.0) -> None:
        """Point ``service``'s own session check (its HTTP client of the endpoint) at this
        directory, and let its verifier trust ``signer``'s tokens.

        ``active_ttl`` 0: every request asks, so a test sees a sign-out at once (the
        cache's own behaviour is servicekit's test).
        """
        source = service.session_source
        source.auth_url = "http://auth.test"
        source.credential = self.credential
        source.transport = httpx.ASGITransport(app=self.app(), raise_app_exceptions=False)
        states = service.session_states(source)
        states.active_ttl = active_ttl
        service.token_verifier = signer.verifier(states)
