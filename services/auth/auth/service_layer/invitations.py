"""Joining and looking after one's own credentials: invitations, enrolment, passwords, factors.

- An administrator **invites** a user: an ``invited`` user and a single-use link
  (``INVITATION_TTL``) mailed to them; resending voids the earlier link.
- The invitee **accepts** with a password (NIST/ASVS rules), which spends the link, and
  gets a new TOTP secret (as text, ``otpauth://`` URI and QR code) with an enrolment
  token (``ENROLMENT_TTL``); **confirming** with a first code activates the account and
  shows ten recovery codes once. Only then is the user announced
  (``auth.user.registered.v1``).
- **Password reset** by e-mail link (``PASSWORD_RESET_TTL``): asking always gets the same
  answer, whether or not the address belongs to anyone; setting the new password needs the
  authenticator code or a recovery code too (a reset must not bypass MFA, ASVS 6.4.3) and
  ends every session.
- A signed-in user can **change the password** (the current one again first), **replace
  the authenticator** and **regenerate recovery codes** (password and/or a current code
  first); each ends the user's other sessions.

Links carry 256 random bits; only their SHA-256 is stored. A pending authenticator secret
(between "here is your new secret" and "confirmed with a code") is never stored in the
clear nor in the user's row: it travels inside the enrolment token, sealed with the data
keyring and bound to the user and to the token's own hash. Wrong passwords and codes count
against the account's sign-in throttle. Everything goes to the audit log.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from contracts.auth import UserRegistered
from cryptography.exceptions import InvalidTag
from servicekit.errors import Conflict
from servicekit.tokens import Principal
from sqlalchemy.exc import IntegrityError

from auth.adapters.credentials import secret_digest
from auth.domain import recovery, totp
from auth.domain.errors import (
    CodeRejected,
    InvalidLink,
    MailNotDelivered,
    PasswordRejected,
    ReauthenticationFailed,
    UserAlreadyExists,
    UserStateConflict,
)
from auth.domain.messages import invitation_mail, password_reset_mail
from auth.domain.passwords import check_password, context_words
from auth.domain.ports import MailNotSent, OutgoingMail
from auth.domain.sessions import (
    ENROLMENT_TTL,
    INVITATION_TTL,
    PASSWORD_RESET_TTL,
    LinkPurpose,
    RevocationReason,
)
from auth.domain.throttle import after_failure, after_reset_mail
from auth.domain.users import User, UserStatus, check_roles, normalise_email
from auth.service_layer.context import ClientInfo, IdentityContext
from auth.service_layer.factors import (
    account_key,
    count_failure,
    refuse_if_locked,
    verify_second_factor,
)
from auth.service_layer.unit_of_work import AuthUnitOfWork
from auth.service_layer.users import (
    acting_admin,
    managed_organisation,
    managed_user,
    record_admin_action,
    signed_in_user,
    void_links,
)

log = logging.getLogger(__name__)

INVITATION_PATH = "/invitation"
PASSWORD_RESET_PATH = "/password-reset"


@dataclass(frozen=True)
class Enrolment:
    """A new authenticator to set up: show the QR code (or the secret), then confirm."""

    token: str
    secret: str
    otpauth_uri: str
    qr_svg: str
    expires_at: datetime


# -- links, codes and throttling ---------------------------------------------------------------


def _new_link_secret() -> tuple[str, str]:
    """A link secret (256 bits, URL-safe) and the digest that is stored."""
    secret = secrets.token_urlsafe(32)
    return secret, secret_digest(secret)


def _link(ctx: IdentityContext, path: str, secret: str) -> str:
    """The portal page with the secret in the fragment (never sent to a server by browsers)."""
    return f"{ctx.portal_base_url.rstrip('/')}{path}#token={secret}"


def qr_svg(uri: str) -> str:
    """An SVG QR code of ``uri`` for the authenticator app to scan."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, title="QR code"
    )
    return buffer.getvalue().decode()


def _pending_aad(user_id: uuid.UUID, digest: str) -> bytes:
    return f"enrolment:{user_id}:{digest}:totp".encode()


def _enrolment_token(ctx: IdentityContext, user_id: uuid.UUID, secret: str) -> tuple[str, str]:
    """``<link secret>.<sealed TOTP secret>`` and the digest of the link secret."""
    nonce, digest = _new_link_secret()
    sealed = ctx.keyring.encrypt(secret.encode(), aad=_pending_aad(user_id, digest))
    packed = base64.urlsafe_b64encode(sealed.encode()).decode().rstrip("=")
    return f"{nonce}.{packed}", digest


def _split_enrolment_token(token: str) -> tuple[str, str]:
    """The digest of the link part and the packed sealed secret (``InvalidLink`` if malformed)."""
    nonce, dot, packed = token.strip().partition(".")
    if not (nonce and dot and packed):
        raise InvalidLink()
    return secret_digest(nonce), packed


def _open_enrolment_secret(
    ctx: IdentityContext, user_id: uuid.UUID, digest: str, packed: str
) -> str:
    try:
        sealed = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)).decode()
        return ctx.keyring.decrypt(sealed, aad=_pending_aad(user_id, digest)).decode()
    except (ValueError, binascii.Error, InvalidTag, UnicodeDecodeError) as exc:
        raise InvalidLink() from exc


def _new_enrolment(
    ctx: IdentityContext, user: User, now: datetime
) -> tuple[Enrolment, str, datetime]:
    secret = totp.new_secret()
    token, digest = _enrolment_token(ctx, user.id, secret)
    uri = totp.provisioning_uri(secret, user.email)
    expires_at = now + ENROLMENT_TTL
    return Enrolment(token, secret, uri, qr_svg(uri), expires_at), digest, expires_at


async def _first_code_step(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    user: User,
    secret: str,
    code: str,
    *,
    event: str,
    client: ClientInfo,
    now: datetime,
) -> int:
    """The time step of the first code of a new authenticator secret.

    A new secret has its own history, so no earlier step counts against it. A wrong code
    counts against the account's sign-in throttle, is audited and committed, and raised.
    """
    key = account_key(ctx, user.email)
    await refuse_if_locked(uow, [key], now)
    step = totp.matching_step(secret, code, now=now, last_used_step=None)
    if step is None:
        await count_failure(uow, [key], now)
        await uow.audit.record(
            event,
            "failure",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
        )
        await uow.commit()
        raise CodeRejected()
    return step


async def _credentials_changed(
    uow: AuthUnitOfWork,
    user: User,
    *,
    event: str,
    reason: str,
    client: ClientInfo,
    now: datetime,
    keep: uuid.UUID | None = None,
    **detail: Any,
) -> int:
    """End the user's sessions (but ``keep``), audit ``event``, commit; sessions ended."""
    revoked = await uow.sessions.revoke(user_id=user.id, reason=reason, now=now, keep=keep)
    await uow.audit.record(
        event,
        "success",
        user_id=user.id,
        organisation_id=user.organisation_id,
        ip=client.ip,
        client=client.user_agent,
        sessions_ended=len(revoked),
        **detail,
    )
    await uow.commit()
    return len(revoked)


async def _password_context(uow: AuthUnitOfWork, user: User) -> set[str]:
    organisation = await uow.organisations.get(user.organisation_id)
    return context_words(user.email, user.full_name, organisation.name if organisation else None)


async def _recovery_codes(uow: AuthUnitOfWork, user_id: uuid.UUID) -> list[str]:
    codes = recovery.new_codes()
    await uow.recovery_codes.replace(user_id, [secret_digest(recovery.normalise(c)) for c in codes])
    return codes


# -- invitations -------------------------------------------------------------------------------


async def _send_invitation(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    user: User,
    link_secret: str,
    expires_at: datetime,
    client: ClientInfo,
) -> None:
    """Mail the invitation (after the commit); a relay failure is audited and reported."""
    mail = invitation_mail(user.email, _link(ctx, INVITATION_PATH, link_secret), expires_at)
    try:
        await ctx.mailer.send(mail)
    except MailNotSent as exc:
        log.warning("invitation not sent: %s", exc)
        async with uow:
            await uow.audit.record(
                "invitation.mail",
                "failure",
                user_id=user.id,
                organisation_id=user.organisation_id,
                ip=client.ip,
                client=client.user_agent,
            )
            await uow.commit()
        raise MailNotDelivered(
            "The user is saved, but the invitation e-mail could not be sent. "
            "Resend the invitation later."
        ) from None


async def invite_user(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    actor: Principal,
    organisation_id: uuid.UUID,
    email: str,
    full_name: str,
    roles: list[str],
    client: ClientInfo,
) -> User:
    """Create an ``invited`` user in an organisation the actor manages and mail the link."""
    now = ctx.clock()
    email = normalise_email(email)
    name = " ".join(full_name.split())
    if not name:
        raise ValueError("full_name must not be blank")
    link_secret, digest = _new_link_secret()
    expires_at = now + INVITATION_TTL
    async with uow:
        admin = await acting_admin(uow, ctx, actor)
        organisation = await managed_organisation(uow, admin, organisation_id)
        if not organisation.active:
            raise Conflict("The organisation is deactivated: nobody can be invited to it.")
        user = User(
            organisation_id=organisation.id,
            email=email,
            full_name=name,
            roles=check_roles(roles, organisation.kind),
            status=UserStatus.INVITED,
            created_at=now,
        )
        if await uow.users.by_email(email) is not None:
            raise UserAlreadyExists("A user with this e-mail address already exists.")
        try:
            await uow.users.add(user)  # the INSERT runs now: a racing twin fails here
        except IntegrityError as exc:
            raise UserAlreadyExists("A user with this e-mail address already exists.") from exc
        await uow.links.add(
            token_hash=digest,
            purpose=LinkPurpose.INVITATION,
            user_id=user.id,
            expires_at=expires_at,
        )
        await record_admin_action(
            uow, "user.invited", user=user, admin=admin, client=client, roles=sorted(user.roles)
        )
        await uow.commit()
    await _send_invitation(uow, ctx, user, link_secret, expires_at, client)
    return user


async def resend_invitation(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    actor: Principal,
    user_id: uuid.UUID,
    client: ClientInfo,
) -> User:
    """A new invitation link for a user who has not finished joining; earlier links die."""
    now = ctx.clock()
    link_secret, digest = _new_link_secret()
    expires_at = now + INVITATION_TTL
    async with uow:
        admin = await acting_admin(uow, ctx, actor)
        user = await managed_user(uow, admin, user_id, for_update=True)
        if user.status is not UserStatus.INVITED:
            raise UserStateConflict(
                "Only a user who has not accepted their invitation yet can get a new one."
            )
        await void_links(uow, ctx, user.id, (LinkPurpose.INVITATION, LinkPurpose.ENROLMENT))
        await uow.links.add(
            token_hash=digest,
            purpose=LinkPurpose.INVITATION,
            user_id=user.id,
            expires_at=expires_at,
        )
        await record_admin_action(uow, "invitation.resent", user=user, admin=admin, client=client)
        await uow.commit()
    await _send_invitation(uow, ctx, user, link_secret, expires_at, client)
    return user


async def accept_invitation(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    token: str,
    password: str,
    client: ClientInfo,
) -> Enrolment:
    """Choose a password through the invitation link; get an authenticator to set up.

    A rejected password leaves the link usable (the invitee tries another); a good one
    spends it. The account stays ``invited`` until :func:`confirm_enrolment`.
    """
    now = ctx.clock()
    digest = secret_digest(token.strip())
    async with uow:
        user_id = await uow.links.peek(digest, LinkPurpose.INVITATION, now)
        user = await uow.users.by_id(user_id, for_update=True) if user_id else None
        if user is None or user.status is not UserStatus.INVITED:
            raise InvalidLink()
        check_password(
            password, blocklist=ctx.blocklist, context=await _password_context(uow, user)
        )
        if await uow.links.spend(digest, LinkPurpose.INVITATION, now) is None:
            raise InvalidLink()
        await uow.users.update(
            user.id, password_hash=ctx.hasher.hash(password), password_changed_at=now
        )
        enrolment, enrolment_digest, expires_at = _new_enrolment(ctx, user, now)
        await uow.links.void_for_user(user.id, LinkPurpose.ENROLMENT, now)
        await uow.links.add(
            token_hash=enrolment_digest,
            purpose=LinkPurpose.ENROLMENT,
            user_id=user.id,
            expires_at=expires_at,
        )
        await uow.audit.record(
            "invitation.accepted",
            "success",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
        )
        await uow.commit()
    return enrolment


async def confirm_enrolment(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    enrolment_token: str,
    code: str,
    client: ClientInfo,
) -> list[str]:
    """Confirm the authenticator with its first code: the account becomes active.

    Returns the ten recovery codes, shown this once. The code's time step is recorded, so
    the same code cannot be used again to sign in.
    """
    now = ctx.clock()
    digest, packed = _split_enrolment_token(enrolment_token)
    async with uow:
        user_id = await uow.links.peek(digest, LinkPurpose.ENROLMENT, now)
        user = await uow.users.by_id(user_id, for_update=True) if user_id else None
        if user is None or user.status is not UserStatus.INVITED or user.password_hash is None:
            raise InvalidLink()
        secret = _open_enrolment_secret(ctx, user.id, digest, packed)
        step = await _first_code_step(
            uow, ctx, user, secret, code, event="enrolment.confirmed", client=client, now=now
        )
        if await uow.links.spend(digest, LinkPurpose.ENROLMENT, now) is None:
            raise InvalidLink()
        await uow.users.update(
            user.id,
            status=UserStatus.ACTIVE.value,
            totp_secret=ctx.seal_totp(user.id, secret),
            totp_enrolled_at=now,
            totp_last_step=step,
        )
        codes = await _recovery_codes(uow, user.id)
        uow.emit(
            UserRegistered(
                user_id=user.id, organisation_id=user.organisation_id, roles=sorted(user.roles)
            )
        )
        await uow.audit.record(
            "enrolment.confirmed",
            "success",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
        )
        await uow.audit.record(
            "user.activated",
            "success",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
            roles=sorted(user.roles),
        )
        await uow.commit()
    return codes


# -- password reset ----------------------------------------------------------------------------


async def request_password_reset(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, email: str, client: ClientInfo
) -> OutgoingMail | None:
    """Prepare a reset link for an active user; the caller answers the same in every case.

    Returns the mail to send (``None`` when there is nothing to send: unknown address,
    inactive user, or too many requests for this address). Send it with
    :func:`send_quietly` after answering, so the answer's timing does not tell either.
    Requests are throttled per address (``reset:<keyed hash>``, the sign-in throttle's
    rules: a few an hour, then growing pauses), and an account gets at most
    :data:`~auth.domain.throttle.RESET_MAILS_PER_WINDOW` reset mails a day
    (``reset-mail:<user id>``); an earlier unused reset link is voided.
    """
    now = ctx.clock()
    email = normalise_email(email)
    subject = ctx.subject_hash(email)
    key = f"reset:{subject}"
    async with uow:
        state = await uow.throttle.get(key)
        if state.locked_for(now):
            await uow.audit.record(
                "password_reset.requested",
                "throttled",
                subject_hash=subject,
                ip=client.ip,
                client=client.user_agent,
            )
            await uow.commit()
            return None
        await uow.throttle.save(key, after_failure(state, now, per_account=True))
        user = await uow.users.by_email(email)
        usable = (
            user is not None
            and user.can_sign_in
            and await uow.users.organisation_active(user.organisation_id)
        )
        if user is None or not usable:
            await uow.audit.record(
                "password_reset.requested",
                "ignored",
                user_id=user.id if user else None,
                subject_hash=None if user else subject,
                ip=client.ip,
                client=client.user_agent,
            )
            await uow.commit()
            return None
        mails_key = f"reset-mail:{user.id}"
        mails = await uow.throttle.get(mails_key)
        if mails.locked_for(now):
            await uow.audit.record(
                "password_reset.requested",
                "mail_limit",
                user_id=user.id,
                organisation_id=user.organisation_id,
                ip=client.ip,
                client=client.user_agent,
            )
            await uow.commit()
            return None
        await uow.throttle.save(mails_key, after_reset_mail(mails, now))
        link_secret, digest = _new_link_secret()
        expires_at = now + PASSWORD_RESET_TTL
        await uow.links.void_for_user(user.id, LinkPurpose.PASSWORD_RESET, now)
        await uow.links.add(
            token_hash=digest,
            purpose=LinkPurpose.PASSWORD_RESET,
            user_id=user.id,
            expires_at=expires_at,
        )
        await uow.audit.record(
            "password_reset.requested",
            "success",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
        )
        await uow.commit()
    return password_reset_mail(user.email, _link(ctx, PASSWORD_RESET_PATH, link_secret), expires_at)


async def send_quietly(ctx: IdentityContext, mail: OutgoingMail) -> None:
    """Send a mail nobody waits for; a failure is logged (without recipient or content)."""
    try:
        await ctx.mailer.send(mail)
    except MailNotSent as exc:
        log.warning("password reset mail not sent: %s", exc)


async def reset_password(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    token: str,
    new_password: str,
    code: str | None,
    recovery_code: str | None,
    client: ClientInfo,
) -> int:
    """Set a new password through a reset link plus the second factor; ends every session.

    A rejected password or a wrong code leaves the link usable (wrong codes count against
    the account's throttle). Returns how many sessions ended.
    """
    now = ctx.clock()
    digest = secret_digest(token.strip())
    async with uow:
        user_id = await uow.links.peek(digest, LinkPurpose.PASSWORD_RESET, now)
        user = await uow.users.by_id(user_id, for_update=True) if user_id else None
        if user is None or not user.can_sign_in:
            raise InvalidLink()
        check_password(
            new_password, blocklist=ctx.blocklist, context=await _password_context(uow, user)
        )
        key = account_key(ctx, user.email)
        await refuse_if_locked(uow, [key], now)
        factor = await verify_second_factor(
            uow, ctx, user, code=code, recovery_code=recovery_code, now=now
        )
        if factor is None:
            await count_failure(uow, [key], now)
            await uow.audit.record(
                "password.reset",
                "failure",
                user_id=user.id,
                organisation_id=user.organisation_id,
                ip=client.ip,
                client=client.user_agent,
            )
            await uow.commit()
            raise CodeRejected()
        if await uow.links.spend(digest, LinkPurpose.PASSWORD_RESET, now) is None:
            raise InvalidLink()
        await uow.users.update(
            user.id, password_hash=ctx.hasher.hash(new_password), password_changed_at=now
        )
        await uow.links.void_for_user(user.id, LinkPurpose.PASSWORD_RESET, now)
        revoked = await uow.sessions.revoke(
            user_id=user.id, reason=RevocationReason.PASSWORD_CHANGED, now=now
        )
        await uow.throttle.clear(key)
        await uow.audit.record(
            "password.reset",
            "success",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
            factor=factor,
            sessions_ended=len(revoked),
        )
        await uow.commit()
    return len(revoked)


# -- the signed-in user's own credentials ------------------------------------------------------


async def _reauthenticate(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    user: User,
    *,
    event: str,
    password: str | None,
    code: str | None,
    recovery_code: str | None,
    client: ClientInfo,
) -> str | None:
    """Check what the user gave to confirm a sensitive change (``None`` = not asked).

    The password (when given) is checked first and a code is only spent after it passed.
    A failure counts against the account's throttle, is audited and committed, and raises
    :class:`ReauthenticationFailed`. Returns the second factor used, if one was asked for.
    """
    now = ctx.clock()
    key = account_key(ctx, user.email)
    await refuse_if_locked(uow, [key], now)
    ok = password is None or ctx.hasher.verify(user.password_hash, password)
    factor: str | None = None
    if ok and (code is not None or recovery_code is not None):
        factor = await verify_second_factor(
            uow, ctx, user, code=code, recovery_code=recovery_code, now=now
        )
        ok = factor is not None
    if not ok:
        await count_failure(uow, [key], now)
        await uow.audit.record(
            event,
            "failure",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
            reason="reauthentication",
        )
        await uow.commit()
        raise ReauthenticationFailed()
    return factor


async def change_password(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    principal: Principal,
    current_password: str,
    new_password: str,
    client: ClientInfo,
) -> int:
    """Change the password (the current one first); ends the user's other sessions."""
    now = ctx.clock()
    async with uow:
        user = await signed_in_user(uow, ctx, principal, for_update=True)
        await _reauthenticate(
            uow,
            ctx,
            user,
            event="password.changed",
            password=current_password,
            code=None,
            recovery_code=None,
            client=client,
        )
        check_password(
            new_password, blocklist=ctx.blocklist, context=await _password_context(uow, user)
        )
        if new_password == current_password:
            raise PasswordRejected(
                "must differ from your current password", "password_same_as_current"
            )
        await uow.users.update(
            user.id, password_hash=ctx.hasher.hash(new_password), password_changed_at=now
        )
        await uow.links.void_for_user(user.id, LinkPurpose.PASSWORD_RESET, now)
        ended = await _credentials_changed(
            uow,
            user,
            event="password.changed",
            reason=RevocationReason.PASSWORD_CHANGED,
            client=client,
            now=now,
            keep=principal.session_id,
        )
    return ended


async def reenrol_totp(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    principal: Principal,
    password: str,
    code: str | None,
    recovery_code: str | None,
    client: ClientInfo,
) -> Enrolment:
    """Start replacing the authenticator: password plus a current code (or a recovery code,
    for a user whose device is lost). The old authenticator keeps working until the new one
    is confirmed with :func:`confirm_totp_change`."""
    now = ctx.clock()
    async with uow:
        user = await signed_in_user(uow, ctx, principal, for_update=True)
        factor = await _reauthenticate(
            uow,
            ctx,
            user,
            event="totp.reenrolment_started",
            password=password,
            code=code or None,
            recovery_code=recovery_code or None,
            client=client,
        )
        if factor is None:  # the router insists on one; so does this
            raise ReauthenticationFailed()
        enrolment, digest, expires_at = _new_enrolment(ctx, user, now)
        await uow.links.void_for_user(user.id, LinkPurpose.TOTP_CHANGE, now)
        await uow.links.add(
            token_hash=digest,
            purpose=LinkPurpose.TOTP_CHANGE,
            user_id=user.id,
            expires_at=expires_at,
        )
        await uow.audit.record(
            "totp.reenrolment_started",
            "success",
            user_id=user.id,
            organisation_id=user.organisation_id,
            ip=client.ip,
            client=client.user_agent,
            factor=factor,
        )
        await uow.commit()
    return enrolment


async def confirm_totp_change(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    principal: Principal,
    enrolment_token: str,
    code: str,
    client: ClientInfo,
) -> int:
    """Confirm the new authenticator with its first code; it replaces the old one and the
    user's other sessions end. Returns how many ended."""
    now = ctx.clock()
    digest, packed = _split_enrolment_token(enrolment_token)
    async with uow:
        user = await signed_in_user(uow, ctx, principal, for_update=True)
        if await uow.links.peek(digest, LinkPurpose.TOTP_CHANGE, now) != user.id:
            raise InvalidLink()
        secret = _open_enrolment_secret(ctx, user.id, digest, packed)
        step = await _first_code_step(
            uow, ctx, user, secret, code, event="totp.changed", client=client, now=now
        )
        if await uow.links.spend(digest, LinkPurpose.TOTP_CHANGE, now) is None:
            raise InvalidLink()
        await uow.users.update(
            user.id,
            totp_secret=ctx.seal_totp(user.id, secret),
            totp_enrolled_at=now,
            totp_last_step=step,
        )
        ended = await _credentials_changed(
            uow,
            user,
            event="totp.changed",
            reason=RevocationReason.FACTOR_CHANGED,
            client=client,
            now=now,
            keep=principal.session_id,
        )
    return ended


async def regenerate_recovery_codes(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    principal: Principal,
    code: str | None,
    recovery_code: str | None,
    client: ClientInfo,
) -> list[str]:
    """Ten new recovery codes (the old ones stop working), after a current code; ends the
    user's other sessions."""
    now = ctx.clock()
    async with uow:
        user = await signed_in_user(uow, ctx, principal, for_update=True)
        factor = await _reauthenticate(
            uow,
            ctx,
            user,
            event="recovery_codes.regenerated",
            password=None,
            code=code or None,
            recovery_code=recovery_code or None,
            client=client,
        )
        if factor is None:
            raise ReauthenticationFailed()
        codes = await _recovery_codes(uow, user.id)
        await _credentials_changed(
            uow,
            user,
            event="recovery_codes.regenerated",
            reason=RevocationReason.FACTOR_CHANGED,
            client=client,
            now=now,
            keep=principal.session_id,
            factor=factor,
        )
    return codes
