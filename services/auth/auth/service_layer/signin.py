"""Signing in: password, then second factor, then a session with rotating refresh tokens.

Every outcome goes to the audit log. Failures count against the account (by a keyed hash
of the name typed, so unknown names count too) and against the client address; the
answers never reveal whether an account exists.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auth.adapters.credentials import secret_digest
from auth.domain.errors import InvalidCredentials, InvalidSessionToken, TooManyAttempts
from auth.domain.sessions import (
    ABSOLUTE_TIMEOUT,
    ACCESS_TOKEN_TTL,
    IDLE_TIMEOUT,
    SEEN_RESOLUTION,
    RevocationReason,
    refresh_expiry,
)
from auth.domain.users import User, normalise_email
from auth.service_layer.context import ClientInfo, IdentityContext
from auth.service_layer.factors import (
    account_key,
    address_key,
    count_failure,
    refuse_if_locked,
    verify_second_factor,
)
from auth.service_layer.unit_of_work import AuthUnitOfWork

SIGN_IN = "sign-in"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_at: datetime
    session_id: uuid.UUID


async def start_sign_in(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, email: str, password: str, client: ClientInfo
) -> str:
    """Check e-mail and password; return a challenge for the second factor."""
    now = ctx.clock()
    email = normalise_email(email)
    keys = [account_key(ctx, email), address_key(client)]
    async with uow:
        try:
            await refuse_if_locked(uow, keys, now)
        except TooManyAttempts:
            await uow.audit.record(
                "sign_in.password",
                "locked",
                subject_hash=ctx.subject_hash(email),
                ip=client.ip,
                client=client.user_agent,
            )
            await uow.commit()
            raise
        user = await uow.users.by_email(email)
        stored = user.password_hash if user is not None else None
        password_ok = ctx.hasher.verify(stored, password)
        usable = (
            user is not None
            and user.can_sign_in
            and await uow.users.organisation_active(user.organisation_id)
        )
        if not (password_ok and usable and user is not None):
            await count_failure(uow, keys, now)
            await uow.audit.record(
                "sign_in.password",
                "failure",
                user_id=user.id if user else None,
                subject_hash=None if user else ctx.subject_hash(email),
                ip=client.ip,
                client=client.user_agent,
            )
            await uow.commit()
            raise InvalidCredentials()
        if stored is not None and ctx.hasher.needs_rehash(stored):
            await uow.users.update(user.id, password_hash=ctx.hasher.hash(password))
        await uow.audit.record(
            "sign_in.password",
            "success",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
        )
        await uow.commit()
    return await ctx.issuer.challenge(user_id=user.id, purpose=SIGN_IN, now=now)


async def complete_sign_in(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    challenge: str,
    code: str | None,
    recovery_code: str | None,
    client: ClientInfo,
) -> TokenPair:
    """Check the second factor against the challenge; open a session."""
    now = ctx.clock()
    user_id = await ctx.issuer.read_challenge(challenge, purpose=SIGN_IN, now=now)
    if user_id is None:
        raise InvalidSessionToken("The sign-in took too long. Start again.")
    async with uow:
        user = await uow.users.by_id(user_id, for_update=True)
        if user is None or not user.can_sign_in:
            raise InvalidSessionToken("Start the sign-in again.")
        keys = [account_key(ctx, user.email), address_key(client)]
        await refuse_if_locked(uow, keys, now)
        factor = await verify_second_factor(
            uow, ctx, user, code=code, recovery_code=recovery_code, now=now
        )
        if factor is None:
            await count_failure(uow, keys, now)
            await uow.audit.record(
                "sign_in.second_factor",
                "failure",
                user_id=user.id,
                organisation_id=user.organisation_id,
                ip=client.ip,
                client=client.user_agent,
            )
            await uow.commit()
            raise InvalidCredentials()
        await uow.throttle.clear(account_key(ctx, user.email))
        pair = await _open_session(uow, ctx, user, client=client, now=now)
        await uow.audit.record(
            "sign_in",
            "success",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
            factor=factor,
            session_id=str(pair.session_id),
        )
        await uow.commit()
    return pair


async def _open_session(
    uow: AuthUnitOfWork, ctx: IdentityContext, user: User, *, client: ClientInfo, now: datetime
) -> TokenPair:
    session_id = uuid.uuid4()
    absolute = now + ABSOLUTE_TIMEOUT
    await uow.sessions.create(
        session_id=session_id,
        user_id=user.id,
        now=now,
        absolute_expires_at=absolute,
        client=client.user_agent,
        ip=client.ip,
    )
    return await _issue(uow, ctx, user, session_id=session_id, absolute=absolute, now=now)


async def _issue(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    user: User,
    *,
    session_id: uuid.UUID,
    absolute: datetime,
    now: datetime,
) -> TokenPair:
    refresh = secrets.token_urlsafe(32)
    expires = refresh_expiry(now, absolute)
    await uow.sessions.add_refresh_token(
        token_hash=secret_digest(refresh), session_id=session_id, now=now, expires_at=expires
    )
    access = await ctx.issuer.access_token(
        user_id=user.id,
        organisation_id=user.organisation_id,
        roles=user.roles,
        session_id=session_id,
        now=now,
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=int(ACCESS_TOKEN_TTL.total_seconds()),
        refresh_expires_at=expires,
        session_id=session_id,
    )


async def refresh(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, refresh_token: str, client: ClientInfo
) -> TokenPair:
    """Rotate a refresh token. A spent one coming back revokes its whole session."""
    now = ctx.clock()
    digest = secret_digest(refresh_token)
    async with uow:
        row = await uow.sessions.refresh_token(digest)
        if row is None:
            raise InvalidSessionToken()
        if row.used_at is not None:
            revoked = await uow.sessions.revoke(
                user_id=row.user_id,
                session_id=row.session_id,
                reason=RevocationReason.REFRESH_TOKEN_REUSE,
                now=now,
            )
            await uow.audit.record(
                "token.refresh_reuse",
                "revoked",
                user_id=row.user_id,
                ip=client.ip,
                client=client.user_agent,
                session_id=str(row.session_id),
                revoked=len(revoked),
            )
            await uow.commit()
            raise InvalidSessionToken("This session was ended for your safety. Sign in again.")
        user = await uow.users.by_id(row.user_id)
        if (
            row.revoked_at is not None
            or row.expires_at <= now
            or row.absolute_expires_at <= now
            or user is None
            or not user.can_sign_in
        ):
            raise InvalidSessionToken()
        await uow.sessions.spend_refresh_token(digest, now)
        await uow.sessions.touch(row.session_id, now)
        pair = await _issue(
            uow, ctx, user, session_id=row.session_id, absolute=row.absolute_expires_at, now=now
        )
        await uow.commit()
    return pair


async def sign_out(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID | None,
    everywhere: bool,
    client: ClientInfo,
) -> int:
    """End this session, or every session of the user; returns how many ended."""
    now = ctx.clock()
    async with uow:
        revoked = await uow.sessions.revoke(
            user_id=user_id,
            session_id=None if everywhere else session_id,
            reason=RevocationReason.LOGOUT_EVERYWHERE if everywhere else RevocationReason.LOGOUT,
            now=now,
        )
        await uow.audit.record(
            "sign_out.everywhere" if everywhere else "sign_out",
            "success",
            user_id=user_id,
            ip=client.ip,
            client=client.user_agent,
            sessions=len(revoked),
        )
        await uow.commit()
    return len(revoked)


async def active_sessions(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, user_id: uuid.UUID
) -> list[Any]:
    async with uow:
        return list(await uow.sessions.active_for_user(user_id, ctx.clock()))


async def session_active(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, session_id: uuid.UUID
) -> bool:
    """Is the session still on? A «yes» is also a sign of life: the session was just used."""
    now = ctx.clock()
    async with uow:
        row = await uow.sessions.get(session_id)
        active = bool(
            row is not None
            and row.revoked_at is None
            and row.absolute_expires_at > now
            and row.last_seen_at + IDLE_TIMEOUT > now
        )
        if active and row.last_seen_at < now - SEEN_RESOLUTION:
            await uow.sessions.touch_if_seen_before(session_id, now, now - SEEN_RESOLUTION)
            await uow.commit()
    return active
