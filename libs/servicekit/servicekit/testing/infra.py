"""Test infrastructure: per-run databases (migrated with Alembic) and bus namespaces."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from pathlib import Path

import asyncpg

PG_ADMIN_URL = os.environ.get(
    "INFOCENTER_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AMQP_URL = os.environ.get("INFOCENTER_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
RUN_ID = uuid.uuid4().hex[:8]

START_HINT = """\
PostgreSQL and RabbitMQ must run for the integration and end-to-end tests.
  PostgreSQL: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
  RabbitMQ:   rabbitmq-server -detached
(or `make infra`, which installs and starts both from Debian's packages)."""


class InfrastructureMissing(RuntimeError):
    pass


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def check_infrastructure() -> None:
    """Fail loudly, with the commands that start them, when PostgreSQL or RabbitMQ are away."""
    missing = []
    if not _reachable("127.0.0.1", 5432):
        missing.append("PostgreSQL (127.0.0.1:5432)")
    if not _reachable("127.0.0.1", 5672):
        missing.append("RabbitMQ (127.0.0.1:5672)")
    if missing:
        raise InfrastructureMissing(f"not reachable: {', '.join(missing)}\n{START_HINT}")


def database_url(name: str, *, driver: str = "postgresql+asyncpg") -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].split("://", 1)[1]
    return f"{driver}://{base}/{name}"


async def create_database(name: str) -> str:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url(name)


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def migrate(alembic_ini: Path, url: str) -> None:
    """``alembic upgrade head`` of a service against ``url`` (migrations are tested too)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(alembic_ini))
    cfg.set_main_option("script_location", str(alembic_ini.parent / "migrations"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")


async def create_migrated_database(name: str, alembic_ini: Path) -> str:
    url = await create_database(name)
    await asyncio.to_thread(migrate, alembic_ini, url)
    return url


def run_database_name(service: str) -> str:
    return f"ic_test_{RUN_ID}_{service}"


def run_bus_namespace(suffix: str = "") -> str:
    return f"t{RUN_ID}{suffix}."
