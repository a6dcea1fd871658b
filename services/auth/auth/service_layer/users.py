"""Managing users: who may see and change whom, roles, deactivation and reactivation.

Creditor admins manage the users of their own organisation; agency admins manage everyone
(:func:`auth.domain.users.may_manage`). A user an administrator may not manage is answered
exactly like one that does not exist, so ids of other organisations' users do not leak.
Nobody can deactivate themself or take away their own administrator role. The acting
administrator's rights are taken from the database, not from the (up to five minutes old)
access token, and their session must still be live.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from contracts.auth import UserDeactivated, UserRegistered
from servicekit.errors import Conflict, NotFound, Unauthorized
from servicekit.roles import Roles
from servicekit.tokens import Principal

from auth.domain.errors import OwnAccount, UserStateConflict
from auth.domain.model import Organisation
from auth.domain.sessions import LinkPurpose, RevocationReason
from auth.domain.users import User, UserStatus, check_roles, may_manage
from auth.service_layer.context import ClientInfo, IdentityContext
from auth.service_layer.unit_of_work import AuthUnitOfWork

ADMIN_ROLES = frozenset({Roles.CREDITOR_ADMIN, Roles.AGENCY_ADMIN})


# -- who is acting -------------------------------------------------------------------------


async def signed_in_user(
    uow: AuthUnitOfWork, ctx: IdentityContext, principal: Principal, *, for_update: bool = False
) -> User:
    """The user behind an access token, still active and with their session still live.

    An access token outlives a revoked session by up to its lifetime; sensitive operations
    check the session itself so that a sign-out, deactivation or password change ends them
    at once.
    """
    user = await uow.users.by_id(principal.user_id, for_update=for_update)
    if user is None or not user.can_sign_in or principal.session_id is None:
        raise Unauthorized("Your session has ended. Sign in again.")
    session = await uow.sessions.get(principal.session_id)
    now = ctx.clock()
    if (
        session is None
        or session.user_id != user.id
        or session.revoked_at is not None
        or session.absolute_expires_at <= now
    ):
        raise Unauthorized("Your session has ended. Sign in again.")
    return user


async def acting_admin(uow: AuthUnitOfWork, ctx: IdentityContext, principal: Principal) -> User:
    """The administrator behind the token, with their current roles."""
    admin = await signed_in_user(uow, ctx, principal)
    if not admin.roles & ADMIN_ROLES:
        # The token said admin (the router checked) but the role was taken away since.
        raise Unauthorized("Your roles have changed. Sign in again.")
    return admin


def manages(admin: User, organisation_id: uuid.UUID) -> bool:
    return may_manage(admin.roles, admin.organisation_id, organisation_id)


async def managed_organisation(
    uow: AuthUnitOfWork, admin: User, organisation_id: uuid.UUID
) -> Organisation:
    """An organisation ``admin`` manages; any other is "not found"."""
    organisation = (
        await uow.organisations.get(organisation_id) if manages(admin, organisation_id) else None
    )
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


async def managed_user(
    uow: AuthUnitOfWork, admin: User, user_id: uuid.UUID, *, for_update: bool = False
) -> User:
    """A user ``admin`` manages; any other is "not found"."""
    user = await uow.users.by_id(user_id, for_update=for_update)
    if user is None or not manages(admin, user.organisation_id):
        raise NotFound("No such user.")
    return user


async def void_links(
    uow: AuthUnitOfWork, ctx: IdentityContext, user_id: uuid.UUID, purposes: Iterable[str]
) -> None:
    now = ctx.clock()
    for purpose in purposes:
        await uow.links.void_for_user(user_id, purpose, now)


async def record_admin_action(
    uow: AuthUnitOfWork,
    event: str,
    *,
    user: User,
    admin: User,
    client: ClientInfo,
    **detail: Any,
) -> None:
    """One audit line for something an administrator did to a user."""
    await uow.audit.record(
        event,
        "success",
        user_id=user.id,
        organisation_id=user.organisation_id,
        actor_id=admin.id,
        ip=client.ip,
        client=client.user_agent,
        **detail,
    )


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyAccount:
    user: User
    recovery_codes_left: int


async def my_account(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, principal: Principal
) -> MyAccount:
    async with uow:
        user = await signed_in_user(uow, ctx, principal)
        return MyAccount(user, await uow.recovery_codes.remaining(user.id))


async def list_users(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    actor: Principal,
    organisation_id: uuid.UUID,
) -> list[User]:
    """The users of one organisation, by e-mail address."""
    async with uow:
        admin = await acting_admin(uow, ctx, actor)
        organisation = await managed_organisation(uow, admin, organisation_id)
        return await uow.users.in_organisation(organisation.id)


async def get_user(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, actor: Principal, user_id: uuid.UUID
) -> User:
    async with uow:
        admin = await acting_admin(uow, ctx, actor)
        return await managed_user(uow, admin, user_id)


# -- changing --------------------------------------------------------------------------------


async def update_user(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    actor: Principal,
    user_id: uuid.UUID,
    roles: Iterable[str] | None = None,
    full_name: str | None = None,
    client: ClientInfo,
) -> User:
    """Change a user's roles and/or name.

    Roles must fit the user's organisation (so a creditor admin can never grant an agency
    role). Taking a role away ends the user's sessions, so it takes effect at once rather
    than when their access token expires.
    """
    now = ctx.clock()
    async with uow:
        admin = await acting_admin(uow, ctx, actor)
        user = await managed_user(uow, admin, user_id, for_update=True)
        new_name, new_roles = user.full_name, user.roles
        if full_name is not None:
            new_name = " ".join(full_name.split())
            if not new_name:
                raise ValueError("full_name must not be blank")
        if roles is not None:
            organisation = await uow.organisations.get(user.organisation_id)
            if organisation is None:  # pragma: no cover - a foreign key guarantees it
                raise NotFound("No such user.")
            new_roles = check_roles(roles, organisation.kind)
            if user.id == admin.id and (user.roles & ADMIN_ROLES) - new_roles:
                raise OwnAccount("You cannot take away your own administrator role.")
        if (new_name, new_roles) == (user.full_name, user.roles):
            return user
        await uow.users.update(user.id, full_name=new_name, roles=sorted(new_roles))
        if new_name != user.full_name:
            await record_admin_action(uow, "user.renamed", user=user, admin=admin, client=client)
        if new_roles != user.roles:
            revoked: list[uuid.UUID] = []
            if user.roles - new_roles:
                revoked = await uow.sessions.revoke(
                    user_id=user.id, reason=RevocationReason.ROLES_CHANGED, now=now
                )
            await record_admin_action(
                uow,
                "user.roles_changed",
                user=user,
                admin=admin,
                client=client,
                before=sorted(user.roles),
                after=sorted(new_roles),
                sessions_ended=len(revoked),
            )
        await uow.commit()
    return dataclasses.replace(user, full_name=new_name, roles=new_roles)


async def deactivate_user(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    actor: Principal,
    user_id: uuid.UUID,
    client: ClientInfo,
) -> User:
    """End every session, void every pending link, and announce it if the user was active.

    Deactivating an already deactivated user changes nothing. An invited user (who never
    became active, so no one was told of them) is deactivated without an event.
    """
    now = ctx.clock()
    async with uow:
        admin = await acting_admin(uow, ctx, actor)
        if user_id == admin.id:
            raise OwnAccount("You cannot deactivate your own account.")
        user = await managed_user(uow, admin, user_id, for_update=True)
        if user.status is UserStatus.DEACTIVATED:
            return user
        await uow.users.update(user.id, status=UserStatus.DEACTIVATED.value, deactivated_at=now)
        revoked = await uow.sessions.revoke(
            user_id=user.id, reason=RevocationReason.DEACTIVATED, now=now
        )
        await void_links(uow, ctx, user.id, LinkPurpose.ALL)
        if user.status is UserStatus.ACTIVE:
            uow.emit(UserDeactivated(user_id=user.id, organisation_id=user.organisation_id))
        await record_admin_action(
            uow,
            "user.deactivated",
            user=user,
            admin=admin,
            client=client,
            previous_status=user.status.value,
            sessions_ended=len(revoked),
        )
        await uow.commit()
    return dataclasses.replace(user, status=UserStatus.DEACTIVATED)


async def reactivate_user(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    actor: Principal,
    user_id: uuid.UUID,
    client: ClientInfo,
) -> User:
    """Let a deactivated user back in.

    A user who had completed their invitation becomes active again (and is announced as
    registered); one who had not goes back to ``invited`` and needs a new invitation.
    """
    async with uow:
        admin = await acting_admin(uow, ctx, actor)
        user = await managed_user(uow, admin, user_id, for_update=True)
        if user.status is not UserStatus.DEACTIVATED:
            raise UserStateConflict("Only a deactivated user can be reactivated.")
        organisation = await uow.organisations.get(user.organisation_id)
        if organisation is None or not organisation.active:
            raise Conflict("The user's organisation is deactivated.")
        enrolled = user.password_hash is not None and user.totp_secret is not None
        status = UserStatus.ACTIVE if enrolled else UserStatus.INVITED
        await uow.users.update(user.id, status=status.value, deactivated_at=None)
        if status is UserStatus.ACTIVE:
            uow.emit(
                UserRegistered(
                    user_id=user.id, organisation_id=user.organisation_id, roles=sorted(user.roles)
                )
            )
        await record_admin_action(
            uow,
            "user.reactivated",
            user=user,
            admin=admin,
            client=client,
            status=status.value,
        )
        await uow.commit()
    return dataclasses.replace(user, status=status)
