"""Databases and roles: one role and one database per service, nothing shared.

Each service's database is owned by its own login role, and ``CONNECT`` is revoked from
``PUBLIC``, so a service's role cannot even open another service's database.
Everything here is idempotent: provisioning twice changes nothing but the passwords.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import asyncpg

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
T = TypeVar("T")

START_HINT = """\
Start them with:
  PostgreSQL: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
  RabbitMQ:   rabbitmq-server -detached
or `make infra` (installs both from Debian's packages when missing, then starts them)."""


class InfrastructureUnavailable(RuntimeError):
    """PostgreSQL or RabbitMQ does not answer."""


@dataclass(frozen=True)
class ServiceDatabase:
    """One service's database, its owning role and the role's password."""

    service: str
    name: str
    role: str
    password: str


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop.

    The coroutine runs on a fresh loop in a helper thread, so pytest's async fixtures can
    call the blocking :class:`~devstack.stack.Stack` API too.
    """
    result: list[T] = []
    error: list[BaseException] = []

    async def main() -> T:
        return await factory()

    def target() -> None:
        try:
            result.append(asyncio.run(main()))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="devstack-async", daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a safe PostgreSQL identifier: {name!r}")
    return f'"{name}"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def check_reachable(pg_admin_url: str, amqp_url: str) -> None:
    """Fail loudly, with the commands that start them, when PG or RabbitMQ are away."""
    missing = []
    if not reachable(pg_admin_url, 5432):
        missing.append(f"PostgreSQL ({_where(pg_admin_url, 5432)})")
    if not reachable(amqp_url, 5672):
        missing.append(f"RabbitMQ ({_where(amqp_url, 5672)})")
    if missing:
        raise InfrastructureUnavailable(f"not reachable: {', '.join(missing)}\n{START_HINT}")


def _where(url: str, default_port: int) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or default_port}"


async def provision_async(admin_url: str, databases: Sequence[ServiceDatabase]) -> None:
    for db in databases:
        _ident(db.role), _ident(db.name)
    conn = await asyncpg.connect(admin_url)
    try:
        for db in databases:
            role, name = _ident(db.role), _ident(db.name)
            password = _literal(db.password)
            if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", db.role):
                await conn.execute(f"ALTER ROLE {role} WITH LOGIN PASSWORD {password}")
            else:
                await conn.execute(f"CREATE ROLE {role} WITH LOGIN PASSWORD {password}")
            if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", db.name):
                await conn.execute(f"ALTER DATABASE {name} OWNER TO {role}")
            else:
                try:
                    await conn.execute(f"CREATE DATABASE {name} OWNER {role}")
                except asyncpg.DuplicateDatabaseError:  # created concurrently
                    await conn.execute(f"ALTER DATABASE {name} OWNER TO {role}")
            await conn.execute(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
            await conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {name} TO {role}")
    finally:
        await conn.close()


async def drop_async(admin_url: str, databases: Sequence[ServiceDatabase]) -> None:
    for db in databases:
        _ident(db.role), _ident(db.name)
    conn = await asyncpg.connect(admin_url)
    try:
        for db in databases:
            await conn.execute(f"DROP DATABASE IF EXISTS {_ident(db.name)} WITH (FORCE)")
            await conn.execute(f"DROP ROLE IF EXISTS {_ident(db.role)}")
    finally:
        await conn.close()


def provision(admin_url: str, databases: Sequence[ServiceDatabase]) -> None:
    run_sync(lambda: provision_async(admin_url, databases))


def drop(admin_url: str, databases: Sequence[ServiceDatabase]) -> None:
    run_sync(lambda: drop_async(admin_url, databases))
