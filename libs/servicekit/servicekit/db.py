"""Async engine, sessions and the metadata naming convention."""

from __future__ import annotations

import socket
import time
from typing import Any

import asyncpg
from sqlalchemy import MetaData, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """A ``MetaData`` with stable constraint names (for Alembic autogenerate)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


PING_IDLE_AFTER_SECONDS = 5.0
"""A pooled connection idle longer than this is pinged before it is handed out."""


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    application_name: str = "",
    ping_idle_after: float = PING_IDLE_AFTER_SECONDS,
) -> AsyncEngine:
    """An asyncpg engine; connections are checked before use so an outage heals.

    The check (:func:`check_connections_on_checkout`) pings a connection only when it
    has been idle for ``ping_idle_after`` seconds or its socket is already closed; a
    connection in steady use is not pinged on every checkout (SQLAlchemy's
    ``pool_pre_ping`` costs three round trips per checkout with asyncpg: BEGIN, ``;``,
    ROLLBACK). A connection that breaks while in use is a disconnect error, which
    invalidates every pooled connection made before it, so the pool heals either way.

    ``hide_parameters``: a statement's bound values (a note, a name, a national id
    number) never appear in an error message, so never in a logged traceback or a span.
    """
    engine = create_async_engine(
        url,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        connect_args={"server_settings": {"application_name": application_name[:63]}}
        if application_name
        else {},
    )
    check_connections_on_checkout(engine, ping_idle_after)
    return engine


def check_connections_on_checkout(engine: AsyncEngine, ping_idle_after: float) -> None:
    """Before a pooled connection is handed out: refuse it when its socket is closed
    (the server went away while it was idle), ping it when it was idle long enough to
    have gone stale unnoticed; a dead one invalidates the pool and a new one is made."""
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    @event.listens_for(sync_engine, "connect")
    def _made(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(sync_engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _handed_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        driver = getattr(dbapi_connection, "_connection", None)
        if driver is not None and driver.is_closed():
            raise sa_exc.InvalidatePoolError("the connection was closed while idle")
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since < ping_idle_after:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise sa_exc.InvalidatePoolError("the connection failed its ping") from exc
            raise
        if not alive:
            raise sa_exc.InvalidatePoolError("the connection failed its ping")


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads only, outside a transaction block: each statement is its own
    transaction, so a read costs no ``BEGIN`` and no ``ROLLBACK`` round trip (ADR 0065).

    At PostgreSQL's READ COMMITTED (the services' level) every statement of a transaction
    takes its own snapshot anyway, so a read of several statements sees what it saw
    before. A write in such a session would commit at once, alone: never write in one.
    """
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )


def sync_url(url: str) -> str:
    """The same database URL for a plain asyncpg connection (``postgresql://``)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def is_database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or its cause) means the database cannot be reached right now."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(
            current,
            (
                ConnectionError,
                socket.gaierror,
                TimeoutError,
                asyncpg.exceptions.ConnectionDoesNotExistError,
                asyncpg.exceptions.CannotConnectNowError,
                asyncpg.exceptions.AdminShutdownError,
                asyncpg.exceptions.ConnectionFailureError,
                asyncpg.exceptions.TooManyConnectionsError,
            ),
        ):
            return True
        if isinstance(current, OSError) and current.errno is not None:
            return True
        orig = getattr(current, "orig", None)  # SQLAlchemy keeps the driver's error here
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )
    return False
