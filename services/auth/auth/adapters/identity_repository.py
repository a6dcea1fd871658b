"""Repositories of users, sessions, refresh tokens, codes, links, throttling and audit.

All work on the unit of work's session, so a sign-in's effects (session, token, throttle
reset, audit line) commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from servicekit.roles import Roles
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth.adapters.orm import (
    action_tokens,
    audit_log,
    login_throttle,
    organisations,
    recovery_codes,
    refresh_tokens,
    sessions,
    users,
)
from auth.domain.throttle import ThrottleState
from auth.domain.users import User, UserStatus


def _user(row: Any) -> User:
    return User(
        id=row.id,
        organisation_id=row.organisation_id,
        email=row.email,
        full_name=row.full_name,
        roles=frozenset(row.roles),
        status=UserStatus(row.status),
        password_hash=row.password_hash,
        totp_secret=row.totp_secret,
        totp_last_step=row.totp_last_step,
        created_at=row.created_at,
    )


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, user: User) -> None:
        await self.session.execute(
            insert(users).values(
                id=user.id,
                organisation_id=user.organisation_id,
                email=user.email,
                full_name=user.full_name,
                roles=sorted(user.roles),
                status=user.status.value,
                password_hash=user.password_hash,
                totp_secret=user.totp_secret,
                created_at=user.created_at,
            )
        )

    async def by_email(self, email: str) -> User | None:
        row = (await self.session.execute(select(users).where(users.c.email == email))).first()
        return _user(row) if row else None

    async def by_id(self, user_id: uuid.UUID, *, for_update: bool = False) -> User | None:
        stmt = select(users).where(users.c.id == user_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return _user(row) if row else None

    async def organisation_active(self, organisation_id: uuid.UUID) -> bool:
        active = await self.session.scalar(
            select(organisations.c.active).where(organisations.c.id == organisation_id)
        )
        return bool(active)

    async def in_organisation(self, organisation_id: uuid.UUID) -> list[User]:
        rows = await self.session.execute(
            select(users).where(users.c.organisation_id == organisation_id).order_by(users.c.email)
        )
        return [_user(r) for r in rows]

    async def update(self, user_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(update(users).where(users.c.id == user_id).values(**values))

    async def claim_totp_step(self, user_id: uuid.UUID, step: int) -> bool:
        """Record ``step`` as used; false when it (or a later one) was used already."""
        result = await self.session.execute(
            update(users)
            .where(
                users.c.id == user_id,
                (users.c.totp_last_step.is_(None)) | (users.c.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .returning(users.c.id)
        )
        return result.first() is not None

    async def claim_document_notices(
        self, organisation_id: uuid.UUID, now: datetime, not_since: datetime
    ) -> list[tuple[uuid.UUID, str]]:
        """Stamp ``documents_notified_at = now`` on the organisation's active users who want
        the «documents are ready» mail and were not mailed after ``not_since``; their
        ``(id, address)``. The row locks make a concurrent claim wait and then skip them."""
        result = await self.session.execute(
            update(users)
            .where(
                users.c.organisation_id == organisation_id,
                users.c.status == UserStatus.ACTIVE.value,
                users.c.notify_documents.is_(True),
                users.c.documents_notified_at.is_(None)
                | (users.c.documents_notified_at <= not_since),
                users.c.organisation_id.in_(
                    select(organisations.c.id).where(organisations.c.active.is_(True))
                ),
            )
            .values(documents_notified_at=now)
            .returning(users.c.id, users.c.email)
        )
        return [(row.id, row.email) for row in result]

    async def active_admin_addresses(
        self, organisation_id: uuid.UUID
    ) -> list[tuple[uuid.UUID, str]]:
        """``(id, address)`` of the organisation's active creditor admins."""
        result = await self.session.execute(
            select(users.c.id, users.c.email).where(
                users.c.organisation_id == organisation_id,
                users.c.status == UserStatus.ACTIVE.value,
                users.c.roles.any(Roles.CREDITOR_ADMIN),
            )
        )
        return [(row.id, row.email) for row in result]

    async def unclaim_document_notices(self, user_ids: Sequence[uuid.UUID]) -> None:
        """Forget the stamp of users whose mail did not go out (the next document mails)."""
        if user_ids:
            await self.session.execute(
                update(users).where(users.c.id.in_(user_ids)).values(documents_notified_at=None)
            )

    async def notification_preferences(self, user_id: uuid.UUID) -> bool | None:
        """Whether the user wants the «documents are ready» mail (None: no such user)."""
        value = await self.session.scalar(
            select(users.c.notify_documents).where(users.c.id == user_id)
        )
        return None if value is None else bool(value)


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        session_id: uuid.UUID,
        user_id: uuid.UUID,
        now: datetime,
        absolute_expires_at: datetime,
        client: str | None,
        ip: str | None,
    ) -> None:
        await self.session.execute(
            insert(sessions).values(
                id=session_id,
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                absolute_expires_at=absolute_expires_at,
                client=(client or "")[:200] or None,
                ip=ip,
            )
        )

    async def add_refresh_token(
        self, *, token_hash: str, session_id: uuid.UUID, now: datetime, expires_at: datetime
    ) -> None:
        await self.session.execute(
            insert(refresh_tokens).values(
                token_hash=token_hash, session_id=session_id, issued_at=now, expires_at=expires_at
            )
        )

    async def refresh_token(self, token_hash: str) -> Any:
        """The token with its session and user, locked for this transaction."""
        return (
            await self.session.execute(
                select(
                    refresh_tokens.c.token_hash,
                    refresh_tokens.c.used_at,
                    refresh_tokens.c.expires_at,
                    sessions.c.id.label("session_id"),
                    sessions.c.user_id,
                    sessions.c.revoked_at,
                    sessions.c.absolute_expires_at,
                )
                .join(sessions, sessions.c.id == refresh_tokens.c.session_id)
                .where(refresh_tokens.c.token_hash == token_hash)
                .with_for_update(of=refresh_tokens)
            )
        ).first()

    async def spend_refresh_token(self, token_hash: str, now: datetime) -> None:
        await self.session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash)
            .values(used_at=now)
        )

    async def touch(self, session_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now)
        )

    async def touch_if_seen_before(
        self, session_id: uuid.UUID, now: datetime, before: datetime
    ) -> None:
        """Move «last seen» to ``now`` unless it moved after ``before`` (one write a minute)."""
        await self.session.execute(
            update(sessions)
            .where(sessions.c.id == session_id, sessions.c.last_seen_at < before)
            .values(last_seen_at=now)
        )

    async def get(self, session_id: uuid.UUID) -> Any:
        return (
            await self.session.execute(select(sessions).where(sessions.c.id == session_id))
        ).first()

    async def active_for_user(self, user_id: uuid.UUID, now: datetime) -> Sequence[Any]:
        return (
            await self.session.execute(
                select(sessions)
                .where(
                    sessions.c.user_id == user_id,
                    sessions.c.revoked_at.is_(None),
                    sessions.c.absolute_expires_at > now,
                )
                .order_by(sessions.c.last_seen_at.desc())
            )
        ).all()

    async def revoke(
        self,
        *,
        user_id: uuid.UUID,
        reason: str,
        now: datetime,
        session_id: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        """Revoke one session of the user, or all (but ``keep``); returns those revoked."""
        conditions = [sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)]
        if session_id is not None:
            conditions.append(sessions.c.id == session_id)
        if keep is not None:
            conditions.append(sessions.c.id != keep)
        result = await self.session.execute(
            update(sessions)
            .where(and_(*conditions))
            .values(revoked_at=now, revoked_reason=reason)
            .returning(sessions.c.id)
        )
        return list(result.scalars())


class RecoveryCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace(self, user_id: uuid.UUID, code_hashes: Sequence[str]) -> None:
        await self.session.execute(
            delete(recovery_codes).where(recovery_codes.c.user_id == user_id)
        )
        await self.session.execute(
            insert(recovery_codes),
            [{"id": uuid.uuid4(), "user_id": user_id, "code_hash": h} for h in code_hashes],
        )

    async def use(self, user_id: uuid.UUID, code_hash: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(recovery_codes)
            .where(
                recovery_codes.c.user_id == user_id,
                recovery_codes.c.code_hash == code_hash,
                recovery_codes.c.used_at.is_(None),
            )
            .values(used_at=now)
            .returning(recovery_codes.c.id)
        )
        return result.first() is not None

    async def remaining(self, user_id: uuid.UUID) -> int:
        count = await self.session.scalar(
            select(func.count()).where(
                recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None)
            )
        )
        return int(count or 0)


class ActionTokenRepository:
    """Single-use, expiring links (invitations, password resets, factor enrolment)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, token_hash: str, purpose: str, user_id: uuid.UUID, expires_at: datetime
    ) -> None:
        await self.session.execute(
            insert(action_tokens).values(
                token_hash=token_hash, purpose=purpose, user_id=user_id, expires_at=expires_at
            )
        )

    async def peek(self, token_hash: str, purpose: str, now: datetime) -> uuid.UUID | None:
        """The user of a usable link, without spending it."""
        return await self.session.scalar(
            select(action_tokens.c.user_id).where(
                action_tokens.c.token_hash == token_hash,
                action_tokens.c.purpose == purpose,
                action_tokens.c.used_at.is_(None),
                action_tokens.c.expires_at > now,
            )
        )

    async def spend(self, token_hash: str, purpose: str, now: datetime) -> uuid.UUID | None:
        """Use a link once; ``None`` when unknown, expired or already used."""
        result = await self.session.execute(
            update(action_tokens)
            .where(
                action_tokens.c.token_hash == token_hash,
                action_tokens.c.purpose == purpose,
                action_tokens.c.used_at.is_(None),
                action_tokens.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(action_tokens.c.user_id)
        )
        return result.scalar_one_or_none()

    async def void_for_user(self, user_id: uuid.UUID, purpose: str, now: datetime) -> None:
        await self.session.execute(
            update(action_tokens)
            .where(
                action_tokens.c.user_id == user_id,
                action_tokens.c.purpose == purpose,
                action_tokens.c.used_at.is_(None),
            )
            .values(used_at=now)
        )


class ThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> ThrottleState:
        row = (
            await self.session.execute(select(login_throttle).where(login_throttle.c.key == key))
        ).first()
        if row is None:
            return ThrottleState()
        return ThrottleState(row.failures, row.last_failure_at, row.locked_until)

    async def save(self, key: str, state: ThrottleState) -> None:
        stmt = pg_insert(login_throttle).values(
            key=key,
            failures=state.failures,
            last_failure_at=state.last_failure_at,
            locked_until=state.locked_until,
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[login_throttle.c.key],
                set_={
                    "failures": stmt.excluded.failures,
                    "last_failure_at": stmt.excluded.last_failure_at,
                    "locked_until": stmt.excluded.locked_until,
                },
            )
        )

    async def clear(self, key: str) -> None:
        await self.session.execute(delete(login_throttle).where(login_throttle.c.key == key))


class AuditLog:
    """Append-only record of every authentication event: who, when, from where."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        event: str,
        outcome: str,
        *,
        user_id: uuid.UUID | None = None,
        organisation_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None,
        subject_hash: str | None = None,
        ip: str | None = None,
        client: str | None = None,
        **detail: Any,
    ) -> None:
        await self.session.execute(
            insert(audit_log).values(
                event=event,
                outcome=outcome,
                user_id=user_id,
                organisation_id=organisation_id,
                actor_id=actor_id,
                subject_hash=subject_hash,
                ip=ip,
                client=(client or "")[:200] or None,
                detail=detail,
            )
        )
