"""Users, their roles, and who may manage whom."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from servicekit.roles import Roles

from auth.domain.errors import RoleNotAllowed
from auth.domain.model import OrganisationKind

ROLES_BY_KIND: dict[OrganisationKind, frozenset[str]] = {
    OrganisationKind.CREDITOR: frozenset(
        {Roles.CREDITOR, Roles.CREDITOR_ADMIN, Roles.CREDIT_ORDERER}
    ),
    OrganisationKind.AGENCY: frozenset({Roles.CASE_HANDLER, Roles.AGENCY_ADMIN, Roles.OPS}),
}


class UserStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_roles(roles: Iterable[str], kind: OrganisationKind) -> frozenset[str]:
    """Roles must exist and fit the organisation (creditor roles for creditors, …)."""
    wanted = frozenset(roles)
    if not wanted:
        raise RoleNotAllowed("A user needs at least one role.")
    allowed = ROLES_BY_KIND[kind]
    if not wanted <= allowed:
        raise RoleNotAllowed(
            f"Roles {sorted(wanted - allowed)} are not allowed for a {kind.value} organisation."
        )
    if Roles.OPS in wanted and not wanted & Roles.AGENCY:
        raise RoleNotAllowed("The ops role goes with case_handler or agency_admin.")
    return wanted


def may_manage(actor_roles: frozenset[str], actor_org: uuid.UUID, target_org: uuid.UUID) -> bool:
    """Agency admins manage everyone; creditor admins only their own organisation."""
    if Roles.AGENCY_ADMIN in actor_roles:
        return True
    return Roles.CREDITOR_ADMIN in actor_roles and actor_org == target_org


@dataclass
class User:
    organisation_id: uuid.UUID
    email: str
    full_name: str
    roles: frozenset[str]
    status: UserStatus = UserStatus.INVITED
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    password_hash: str | None = None
    totp_secret: str | None = None
    totp_last_step: int | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def can_sign_in(self) -> bool:
        return self.status is UserStatus.ACTIVE and self.password_hash is not None
