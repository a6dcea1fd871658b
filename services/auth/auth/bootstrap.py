"""Composition root of the identity service: the one place that picks concrete adapters."""

from __future__ import annotations

from servicekit.service import Service

from auth.adapters.orm import inbox, outbox
from auth.service_layer.unit_of_work import AuthUnitOfWork
from auth.settings import AuthSettings


class AuthService(Service):
    settings: AuthSettings

    def unit_of_work(self) -> AuthUnitOfWork:
        return AuthUnitOfWork(self.session_factory, self.outbox)


def bootstrap(settings: AuthSettings | None = None) -> AuthService:
    settings = settings or AuthSettings()
    return AuthService(settings, outbox=outbox, inbox=inbox, consumers={})
