"""The identity service's unit of work: the shared one plus its repositories."""

from __future__ import annotations

from typing import Self

from servicekit.uow import UnitOfWork

from auth.adapters.client_repository import ApiClientRepository
from auth.adapters.identity_repository import (
    ActionTokenRepository,
    AuditLog,
    RecoveryCodeRepository,
    SessionRepository,
    ThrottleRepository,
    UserRepository,
)
from auth.adapters.repository import OrganisationRepository


class AuthUnitOfWork(UnitOfWork):
    organisations: OrganisationRepository
    users: UserRepository
    sessions: SessionRepository
    recovery_codes: RecoveryCodeRepository
    links: ActionTokenRepository
    throttle: ThrottleRepository
    audit: AuditLog
    clients: ApiClientRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        session = self.session
        self.organisations = OrganisationRepository(session)
        self.users = UserRepository(session)
        self.sessions = SessionRepository(session)
        self.recovery_codes = RecoveryCodeRepository(session)
        self.links = ActionTokenRepository(session)
        self.throttle = ThrottleRepository(session)
        self.audit = AuditLog(session)
        self.clients = ApiClientRepository(session)
        return self
