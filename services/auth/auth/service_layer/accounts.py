"""Creating users directly: the first agency administrator and the demo data (CLI only).

People normally join by invitation; this path exists for bootstrapping an installation,
where nobody could send one yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from contracts.auth import UserRegistered

from auth.adapters.credentials import secret_digest
from auth.domain import recovery, totp
from auth.domain.errors import UserAlreadyExists
from auth.domain.model import OrganisationKind
from auth.domain.passwords import check_password, context_words
from auth.domain.users import User, UserStatus, check_roles, normalise_email
from auth.service_layer.context import IdentityContext
from auth.service_layer.unit_of_work import AuthUnitOfWork


@dataclass(frozen=True)
class ProvisionedUser:
    user_id: uuid.UUID
    email: str
    totp_secret: str
    totp_uri: str
    recovery_codes: list[str]


async def provision_user(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    organisation_id: uuid.UUID,
    organisation_kind: OrganisationKind,
    email: str,
    full_name: str,
    roles: list[str],
    password: str,
) -> ProvisionedUser:
    """An active user with a password, an enrolled authenticator and recovery codes."""
    email = normalise_email(email)
    async with uow:
        organisation = await uow.organisations.get(organisation_id)
    context = context_words(email, full_name, organisation.name if organisation else None)
    check_password(password, blocklist=ctx.blocklist, context=context)
    user = User(
        organisation_id=organisation_id,
        email=email,
        full_name=full_name.strip(),
        roles=check_roles(roles, organisation_kind),
        status=UserStatus.ACTIVE,
        password_hash=ctx.hasher.hash(password),
    )
    secret = totp.new_secret()
    user.totp_secret = ctx.seal_totp(user.id, secret)
    codes = recovery.new_codes()
    async with uow:
        if await uow.users.by_email(email) is not None:
            raise UserAlreadyExists("A user with this e-mail address already exists.")
        await uow.users.add(user)
        await uow.users.update(
            user.id, totp_enrolled_at=ctx.clock(), password_changed_at=ctx.clock()
        )
        await uow.recovery_codes.replace(
            user.id, [secret_digest(recovery.normalise(c)) for c in codes]
        )
        uow.emit(
            UserRegistered(
                user_id=user.id, organisation_id=organisation_id, roles=sorted(user.roles)
            )
        )
        await uow.audit.record(
            "user.provisioned",
            "success",
            user_id=user.id,
            organisation_id=organisation_id,
            roles=sorted(user.roles),
        )
        await uow.commit()
    return ProvisionedUser(user.id, email, secret, totp.provisioning_uri(secret, email), codes)
