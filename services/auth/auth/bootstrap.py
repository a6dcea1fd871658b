"""Composition root of the identity service: the one place that picks concrete adapters."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from contracts.reports import DocumentIssued, ReplayRequested
from contracts.webhooks import EndpointDisabled
from servicekit.bus.consumer import EventHandler
from servicekit.bus.topology import QueueSpec
from servicekit.crypto import Keyring
from servicekit.replay import replay_handler
from servicekit.service import Service
from servicekit.sessions import SessionStates
from servicekit.tokens import TokenVerifier

from auth.adapters.credentials import Argon2PasswordHasher, offline_blocklist
from auth.adapters.orm import inbox, outbox
from auth.adapters.signing_keys import SigningKeyStore
from auth.adapters.token_issuer import TokenIssuer
from auth.domain.ports import Mailer
from auth.service_layer import clients
from auth.service_layer.context import IdentityContext, utc_now
from auth.service_layer.notifications import document_issued_handler, endpoint_disabled_handler
from auth.service_layer.unit_of_work import AuthUnitOfWork
from auth.settings import AuthSettings


class ConfigurationError(RuntimeError):
    pass


class AuthService(Service):
    settings: AuthSettings
    identity: IdentityContext

    def unit_of_work(self) -> AuthUnitOfWork:
        return AuthUnitOfWork(self.session_factory, self.outbox)

    def read_unit_of_work(self) -> AuthUnitOfWork:
        """A unit of work for reads only: each statement its own transaction, no
        ``BEGIN``/``ROLLBACK`` round trips (ADR 0065). Anything written in it would commit
        at once without :meth:`commit`: never write in one."""
        return AuthUnitOfWork(self.read_sessions, self.outbox)


def _smtp_mailer(settings: AuthSettings) -> Mailer:
    from auth.adapters.mail import SmtpMailer

    return SmtpMailer.from_settings(settings)


def bootstrap(
    settings: AuthSettings | None = None,
    *,
    mailer: Mailer | None = None,
    clock: Callable[[], datetime] = utc_now,
    hasher: Argon2PasswordHasher | None = None,
) -> AuthService:
    settings = settings or AuthSettings()
    if not settings.data_keys or not settings.lookup_key:
        raise ConfigurationError(
            "AUTH_DATA_KEYS and AUTH_LOOKUP_KEY must be set (`make up` generates them into "
            "var/local.env)"
        )
    # the events it consumes: a consumer rebuilding a projection asks for a replay; a
    # document was issued (its organisation's users are mailed that it is ready); a
    # webhook endpoint was disabled (its organisation's admins are mailed a link)
    events = QueueSpec(
        name="auth.events",
        routing_keys=(
            ReplayRequested.routing_key(),
            DocumentIssued.routing_key(),
            EndpointDisabled.routing_key(),
        ),
        retry_delays=settings.retry_delays_seconds,
    )
    handlers: dict[str, EventHandler] = {ReplayRequested.routing_key(): replay_handler(outbox)}
    service = AuthService(settings, outbox=outbox, inbox=inbox, consumers={events: handlers})
    keys = SigningKeyStore(service.session_factory, Keyring(settings.data_keys))
    service.identity = IdentityContext(
        hasher=hasher or Argon2PasswordHasher(),
        blocklist=offline_blocklist(),
        issuer=TokenIssuer(keys, issuer=settings.token_issuer, audience=settings.token_audience),
        keyring=Keyring(settings.data_keys),
        lookup_key=settings.lookup_key.encode(),
        mailer=mailer or _smtp_mailer(settings),
        portal_base_url=settings.portal_base_url,
        clock=clock,
    )
    identity = service.identity
    handlers[DocumentIssued.routing_key()] = document_issued_handler(identity)
    handlers[EndpointDisabled.routing_key()] = endpoint_disabled_handler(identity)

    async def session_active(session_id: uuid.UUID) -> bool:
        return await clients.token_session_active(service.unit_of_work, identity, session_id)

    # The identity service is the source of truth: its own check reads the database on
    # every request (no cache), so a sign-out takes effect here at once.
    service.token_verifier = TokenVerifier(
        jwks_url=None,
        fetch_jwks=keys.jwks,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        min_refresh_seconds=5.0,
        sessions=SessionStates(session_active, active_ttl=0.0, ended_ttl=0.0),
    )
    return service
