"""Provisioning against the real PostgreSQL: one role and one database per service,
owned by that role, closed to every other role; idempotent; cleaned up."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import asyncpg
import pytest
from devstack import database
from devstack.stack import Stack, StackConfig

pytestmark = pytest.mark.integration

SERVICES = ("auth", "cases")


@pytest.fixture(scope="module")
def stack(infrastructure: None) -> Iterator[Stack]:
    """Provisioned once for the module (CREATE DATABASE is slow); dropped after."""
    stack = Stack(StackConfig.for_tests(services=SERVICES))
    stack.provision()
    yield stack
    database.drop(stack.config.pg_admin_url, stack.databases())


def url_as(stack: Stack, role_of: str, database_of: str) -> str:
    own = stack.database_url(role_of, driver="")
    return own.rsplit("/", 1)[0] + "/" + stack.config.database_name(database_of)


async def admin_fetch(stack: Stack, query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(stack.config.pg_admin_url)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def test_each_service_gets_its_own_database_owned_by_its_own_role(stack: Stack) -> None:
    rows = await admin_fetch(
        stack,
        "SELECT d.datname, r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
        "WHERE d.datname LIKE $1 ORDER BY 1",
        f"{stack.config.db_prefix}_%",
    )
    assert [(r["datname"], r["rolname"]) for r in rows] == [
        (f"{stack.config.db_prefix}_{s}", f"{stack.config.db_prefix}_{s}") for s in sorted(SERVICES)
    ]
    conn = await asyncpg.connect(url_as(stack, "cases", "cases"))
    try:
        await conn.execute("CREATE TEMP TABLE t (id int)")
        await conn.execute("CREATE TABLE IF NOT EXISTS t2 (id int)")  # the owner may create
    finally:
        await conn.close()


async def test_no_role_can_open_another_services_database(stack: Stack) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(url_as(stack, "cases", "auth"))
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(url_as(stack, "auth", "cases"))


async def test_provisioning_twice_changes_nothing_but_passwords(stack: Stack) -> None:
    again = Stack(replace(stack.config))  # new in-memory secrets: the passwords rotate
    again.provision()
    stack.provision()
    rows = await admin_fetch(
        stack,
        "SELECT count(*) AS n FROM pg_database WHERE datname LIKE $1",
        f"{stack.config.db_prefix}_%",
    )
    assert rows[0]["n"] == len(SERVICES)


async def test_drop_removes_databases_and_roles(infrastructure: None) -> None:
    stack = Stack(StackConfig.for_tests(services=("credit",)))
    stack.provision()
    database.drop(stack.config.pg_admin_url, stack.databases())
    prefix = f"{stack.config.db_prefix}_%"
    dbs = await admin_fetch(stack, "SELECT 1 FROM pg_database WHERE datname LIKE $1", prefix)
    roles = await admin_fetch(stack, "SELECT 1 FROM pg_roles WHERE rolname LIKE $1", prefix)
    assert dbs == []
    assert roles == []


def test_unreachable_infrastructure_fails_loudly_with_the_start_commands() -> None:
    with pytest.raises(database.InfrastructureUnavailable) as info:
        database.check_reachable(
            "postgresql://postgres@127.0.0.1:1/postgres", "amqp://x@127.0.0.1:1/"
        )
    message = str(info.value)
    assert "PostgreSQL (127.0.0.1:1)" in message
    assert "RabbitMQ (127.0.0.1:1)" in message
    assert "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start" in message
    assert "rabbitmq-server -detached" in message


def test_identifiers_are_checked_before_they_reach_sql() -> None:
    bad = database.ServiceDatabase(service="x", name='x"; DROP', role="x", password="p")
    with pytest.raises(ValueError, match="identifier"):
        database.provision("postgresql://postgres@127.0.0.1:1/postgres", [bad])
