"""``Idempotency-Key`` for mutating endpoints: a retried request gets the first answer.

A client sends a key of its choosing with a POST; the service records the key, a
fingerprint of the request and the response **in the same transaction** as the effect.
The same key again with the same request replays the stored response without doing the
work twice; the same key with a different request is refused (422). Two requests with the
same key at the same time are serialised by PostgreSQL: the second ``INSERT … ON CONFLICT``
waits for the first transaction and then finds its answer.

Keys are scoped by the caller (``scope``: the user, or the organisation and user), so one
client cannot replay another's response.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import (
    Column,
    DateTime,
    Index,
    MetaData,
    SmallInteger,
    String,
    Table,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.errors import DomainError
from servicekit.types import Text
from servicekit.uow import UnitOfWork

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

IdempotencyKeyHeader = Annotated[
    Text | None,
    Header(
        alias=HEADER,
        max_length=MAX_KEY_LENGTH,
        description="Send a unique key to make a retry safe: the same key with the same "
        "request returns the first answer; with another request it is refused (422)",
    ),
]
"""The ``Idempotency-Key`` request header of a POST, for any service's router."""


def idempotency_table(metadata: MetaData) -> Table:
    """Declare the ``idempotency_keys`` table on a service's metadata."""
    return Table(
        "idempotency_keys",
        metadata,
        Column("scope", String(100), primary_key=True, comment="whose key: the caller"),
        Column("key", String(MAX_KEY_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False, comment="SHA-256 of the request"),
        Column("status_code", SmallInteger),
        Column("response", JSONB),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Index("ix_idempotency_keys_created", "created_at"),
        comment="answers to requests sent with an Idempotency-Key (kept for a retention period)",
    )


class IdempotencyKeyReused(DomainError):
    """The key was used before for a different request."""

    status, type, title = 422, "idempotency-key-reused", "Idempotency-Key reused"


class InvalidIdempotencyKey(DomainError):
    status, type, title = 400, "invalid-idempotency-key", "Invalid Idempotency-Key"


def _header_error(detail: str) -> list[dict[str, str]]:
    return [{"field": HEADER, "reason": detail}]


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: Any, *, secret: bytes | None = None) -> str:
    """A stable digest of what the request asks for.

    Pass ``secret`` when the body holds personal data (a national id number has little
    entropy): the digest is then a keyed HMAC that cannot be reversed by guessing.
    """
    canonical = json.dumps(
        [method.upper(), path, body], sort_keys=True, separators=(",", ":"), default=str
    ).encode()
    if secret is not None:
        return hmac.new(secret, canonical, hashlib.sha256).hexdigest()
    return hashlib.sha256(canonical).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise InvalidIdempotencyKey(
            f"{HEADER} must be 1-{MAX_KEY_LENGTH} printable ASCII characters.",
            errors=_header_error(f"must be 1-{MAX_KEY_LENGTH} printable ASCII characters"),
        )
    return key


class IdempotencyKeys:
    """The keys of one unit of work's transaction."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self._session = session
        self._table = table

    async def begin(self, scope: str, key: str, request_fingerprint: str) -> StoredResponse | None:
        """Claim ``key`` for this request, or return the answer it got before.

        Raises :class:`IdempotencyKeyReused` when the key was used for another request.
        """
        table = self._table
        claimed = await self._session.execute(
            insert(table)
            .values(scope=scope, key=check_key(key), fingerprint=request_fingerprint)
            .on_conflict_do_nothing()
            .returning(table.c.key)
        )
        if claimed.first() is not None:
            return None
        row = (
            await self._session.execute(
                select(table.c.fingerprint, table.c.status_code, table.c.response).where(
                    table.c.scope == scope, table.c.key == key
                )
            )
        ).one()
        if row.fingerprint != request_fingerprint:
            raise IdempotencyKeyReused(
                f"This {HEADER} was used for a different request; use a new key.",
                errors=_header_error("was used for a different request"),
            )
        return StoredResponse(status_code=row.status_code, body=row.response)

    async def peek(self, scope: str, key: str, request_fingerprint: str) -> StoredResponse | None:
        """The answer ``key`` got before, without claiming it (``None``: not used yet).

        For work that cannot hold its transaction from the start (a file scanned between
        two transactions): look first, and claim with :meth:`begin` in the transaction that
        makes the effect. Raises :class:`IdempotencyKeyReused` like :meth:`begin`.
        """
        table = self._table
        row = (
            await self._session.execute(
                select(table.c.fingerprint, table.c.status_code, table.c.response).where(
                    table.c.scope == scope, table.c.key == check_key(key)
                )
            )
        ).first()
        if row is None:
            return None
        if row.fingerprint != request_fingerprint:
            raise IdempotencyKeyReused(
                f"This {HEADER} was used for a different request; use a new key.",
                errors=_header_error("was used for a different request"),
            )
        return StoredResponse(status_code=row.status_code, body=row.response)

    async def complete(self, scope: str, key: str, status_code: int, body: Any) -> None:
        """Store the answer (call before the unit of work commits)."""
        await self._session.execute(
            update(self._table)
            .where(self._table.c.scope == scope, self._table.c.key == key)
            .values(status_code=status_code, response=body)
        )


async def answer_once(
    session: AsyncSession,
    table: Table,
    *,
    scope: str,
    key: str | None,
    request_fingerprint: str,
    work: Callable[[], Awaitable[tuple[int, Any]]],
) -> StoredResponse:
    """Do ``work`` once per key: the first time, store its answer; after that, replay it.

    Without a key the work is simply done. Runs in the session's transaction: the caller
    commits, so the effect and the stored answer persist (or vanish) together.
    """
    if key is None:
        status_code, body = await work()
        return StoredResponse(status_code, body)
    keys = IdempotencyKeys(session, table)
    stored = await keys.begin(scope, key, request_fingerprint)
    if stored is not None:
        return stored
    status_code, body = await work()
    await keys.complete(scope, key, status_code, body)
    return StoredResponse(status_code, body)


async def post_once(
    uow: UnitOfWork,
    table: Table,
    *,
    scope: str,
    key: str | None,
    request: Request,
    body: Any,
    work: Callable[[], Awaitable[tuple[int, Any]]],
    secret: bytes | None = None,
) -> Response:
    """A POST's response, once per ``scope`` and ``Idempotency-Key`` (``answer_once`` for a
    router whose handlers take a unit of work).

    With a key, ``work`` runs inside ``uow``'s transaction: the handlers it calls, given
    this same ``uow``, join it (``UnitOfWork`` is re-entrant), so the effect, its events and
    the stored answer commit together; a failure rolls all of it back, the key included.
    Without a key, ``work`` runs as it would without this wrapper (its handlers commit their
    own transactions). ``body`` is the request's JSON (``None`` when it has none), which
    the fingerprint covers with the path. ``work`` answers ``(status, JSON-able body)``; a
    204 is sent without a body.
    """
    if key is None:
        status_code, answer = await work()
    else:
        async with uow:
            stored = await answer_once(
                uow.session,
                table,
                scope=scope,
                key=key,
                request_fingerprint=fingerprint("POST", request.url.path, body, secret=secret),
                work=work,
            )
            await uow.commit()
        status_code, answer = stored.status_code, stored.body
    if status_code == 204:
        return Response(status_code=204)
    return JSONResponse(answer, status_code=status_code)
