"""What sign-in and every re-authentication share: throttle keys and the second factor.

One account key for sign-in, password changes, resets and factor changes, so guessing
through any of them counts against the same lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from auth.adapters.credentials import secret_digest
from auth.domain import recovery, totp
from auth.domain.errors import TooManyAttempts
from auth.domain.throttle import after_failure
from auth.domain.users import User
from auth.service_layer.context import ClientInfo, IdentityContext
from auth.service_layer.unit_of_work import AuthUnitOfWork


def account_key(ctx: IdentityContext, email: str) -> str:
    """The throttle key of an account (a keyed hash of the name typed, known or not)."""
    return f"acct:{ctx.subject_hash(email)}"


def address_key(client: ClientInfo) -> str | None:
    return f"ip:{client.ip}" if client.ip else None


async def refuse_if_locked(uow: AuthUnitOfWork, keys: Iterable[str | None], now: datetime) -> None:
    for key in keys:
        if key is None:
            continue
        wait = (await uow.throttle.get(key)).locked_for(now)
        if wait:
            raise TooManyAttempts(wait)


async def count_failure(uow: AuthUnitOfWork, keys: Iterable[str | None], now: datetime) -> None:
    for key in keys:
        if key is None:
            continue
        state = after_failure(await uow.throttle.get(key), now, per_account=key.startswith("acct:"))
        await uow.throttle.save(key, state)


async def verify_second_factor(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    user: User,
    *,
    code: str | None,
    recovery_code: str | None,
    now: datetime,
) -> str | None:
    """``otp`` or ``recovery`` when the code is right (and spends it), else ``None``.

    A TOTP code's time step is claimed atomically, so a code works once; a recovery code
    is marked used in the same transaction.
    """
    if code and user.totp_secret:
        secret = ctx.open_totp(user.id, user.totp_secret)
        step = totp.matching_step(secret, code, now=now, last_used_step=user.totp_last_step)
        if step is not None and await uow.users.claim_totp_step(user.id, step):
            return "otp"
    if recovery_code:
        digest = secret_digest(recovery.normalise(recovery_code))
        if await uow.recovery_codes.use(user.id, digest, now):
            return "recovery"
    return None
